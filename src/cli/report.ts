/**
 * The report of a scenario run: each elicitation by its scenario ref, the refusals, counts
 * by state and the number of stored events. `elicit run` builds it from the runtime's state
 * and `elicit report` from the stored log alone; the two agree on a simulated run.
 */
import type { ErrorCode } from '../runtime/errors.js';
import type { ElicitationRecord, ElicitationState } from '../store/projection.js';

/** 2026-01-01T00:00:00Z: where the simulated clock of a first run starts. */
export const scenarioEpoch = Date.UTC(2026, 0, 1);

export interface ReportEntry {
  readonly id: string;
  readonly state: ElicitationState;
  readonly reason: string | null;
  readonly by: string | null;
  readonly content: unknown;
  /** Milliseconds since 2026-01-01T00:00:00Z, or null while pending. */
  readonly settledAt: number | null;
}

export interface ReportError {
  readonly line: number;
  readonly op: string;
  readonly ref: string;
  readonly code: ErrorCode;
}

export interface Report {
  readonly elicitations: Record<string, ReportEntry>;
  readonly errors?: readonly ReportError[];
  readonly counts: Readonly<Record<ElicitationState, number>>;
  readonly events: number;
}

/** The scenario ref an elicitation was requested under, or its id when it has none. */
export function refOf(record: ElicitationRecord): string {
  const ref = record.metadata.ref;
  return typeof ref === 'string' ? ref : record.id;
}

/**
 * Builds a report from every elicitation, in request order; when two requests share a ref,
 * the later one is the one the ref names, as in the runner.
 */
export function buildReport(records: Iterable<ElicitationRecord>, events: number, errors?: readonly ReportError[]): Report {
  // A Map, so that a ref such as "__proto__" is a key like any other.
  const elicitations = new Map<string, ReportEntry>();
  const counts: Record<ElicitationState, number> = { pending: 0, answered: 0, rejected: 0, expired: 0 };

  for (const record of records) {
    counts[record.state] += 1;
    elicitations.set(refOf(record), {
      id: record.id,
      state: record.state,
      reason: record.state === 'rejected' ? record.reason : null,
      by: record.state === 'answered' || record.state === 'rejected' ? record.by : null,
      content: record.state === 'answered' ? record.content : null,
      settledAt: record.state === 'pending' ? null : record.settledAt - scenarioEpoch,
    });
  }

  // Object.fromEntries defines own properties, so "__proto__" stays a key in the JSON.
  const byRef = Object.fromEntries(elicitations) as Record<string, ReportEntry>;
  return errors === undefined ? { elicitations: byRef, counts, events } : { elicitations: byRef, errors, counts, events };
}

/**
 * A few lines for a person: counts by state, refusals by code, and events written by this
 * run when `eventsBefore` (the store's count before it) is given.
 */
export function formatSummary(report: Report, eventsBefore?: number): string {
  const counts = report.counts;
  const lines = [`elicitations: ${counts.answered} answered, ${counts.rejected} rejected, ${counts.expired} expired, ${counts.pending} pending`];

  if (report.errors !== undefined) {
    const byCode = new Map<string, number>();
    for (const error of report.errors) byCode.set(error.code, (byCode.get(error.code) ?? 0) + 1);
    const listed = [...byCode].sort(([a], [b]) => a.localeCompare(b)).map(([code, count]) => `${count} ${code}`);
    lines.push(`errors: ${listed.length === 0 ? 'none' : listed.join(', ')}`);
  }

  lines.push(eventsBefore === undefined ? `events in the store: ${report.events}` : `events written: ${report.events - eventsBefore} (${report.events} in the store)`);
  return lines.join('\n');
}
