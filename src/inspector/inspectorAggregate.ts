/**
 * What the inspector page shows, kept up to date one event at a time. It counts the
 * elicitations in each state and the refusals by code and by agent, keeps the latest
 * events, and indexes each elicitation's history by id, ref and agent. Every event is
 * applied once, so a request to the page never reads the event log again.
 */
import { Subject, type Observable } from 'rxjs';
import type { DomainEvent, RejectionReason } from '../store/domainEvent.js';
import type { ElicitationRecord, ElicitationState } from '../store/projection.js';
import { RingBuffer } from './ringBuffer.js';
import { describeEvent, recordOf, toTimelineEntry, type EventRecord, type HistoryEntry, type TimelineEntry } from './timelineEntry.js';

/** One elicitation in a list of search results. */
export interface ElicitationSummary {
  readonly id: string;
  readonly ref: string | null;
  readonly from: string;
  readonly to: string;
  readonly state: ElicitationState;
  readonly reason: RejectionReason | null;
  /** Epoch milliseconds. */
  readonly requestedAt: number;
  readonly deadline: number;
  readonly settledAt: number | null;
}

export interface ElicitationHistory {
  readonly elicitation: ElicitationSummary & { readonly message: string };
  /** The elicitation's events and the refusals that name it, in log order. */
  readonly events: readonly HistoryEntry[];
}

export interface AgentRefusals {
  readonly agent: string;
  readonly total: number;
  readonly byCode: Readonly<Record<string, number>>;
}

export interface InspectorSummary {
  readonly counts: Readonly<Record<ElicitationState, number>>;
  readonly rejectedByReason: Readonly<Record<RejectionReason, number>>;
  readonly refusals: {
    /** Refused commands, counting each that a summary event stands for. */
    readonly total: number;
    readonly byCode: Readonly<Record<string, number>>;
    /** The agents with the most refusals, most first. */
    readonly topAgents: readonly AgentRefusals[];
    /** How many agents have at least one refusal. */
    readonly agents: number;
  };
  readonly elicitations: number;
  /** Events applied since the inspector started. */
  readonly events: number;
  /** The position of the latest event applied; 0 before the first. */
  readonly lastPosition: number;
}

export interface SearchResult {
  readonly query: string;
  /** The kinds of match found: an elicitation id, a ref, an agent, or the start of ids. */
  readonly matchedBy: readonly ('id' | 'ref' | 'agent' | 'id prefix')[];
  /** How many elicitations match; `matches` contains the newest of them. */
  readonly total: number;
  readonly matches: readonly ElicitationSummary[];
  /** The refusals of the agent the query names, when it names one that has any. */
  readonly agentRefusals: AgentRefusals | null;
}

interface ElicitationEntry {
  /** Request order, to sort search results newest first. */
  readonly sequence: number;
  readonly id: string;
  readonly ref: string | null;
  readonly from: string;
  readonly to: string;
  readonly message: string;
  readonly requestedAt: number;
  readonly deadline: number;
  state: ElicitationState;
  reason: RejectionReason | null;
  settledAt: number | null;
  version: number;
  /** The elicitation's events and the refusals that name it, in log order. */
  readonly records: EventRecord[];
}

export interface InspectorAggregateOptions {
  /** How many of the latest events to keep for a page that opens; 200 by default. */
  readonly recentEvents?: number;
  /** How many agents the summary ranks by refusals; 10 by default. */
  readonly topAgents?: number;
}

type RequestedRecord = Extract<EventRecord, { type: 'elicitation.requested' }>;

const settledStates = {
  'elicitation.answered': 'answered',
  'elicitation.rejected': 'rejected',
  'elicitation.expired': 'expired',
} as const;

const idPrefixPattern = /^[0-9a-f-]{4,}$/i;

export class InspectorAggregate {
  private readonly entries = new Map<string, ElicitationEntry>();
  private readonly idsByRef = new Map<string, string[]>();
  private readonly idsByAgent = new Map<string, string[]>();
  private readonly stateCounts: Record<ElicitationState, number> = { pending: 0, answered: 0, rejected: 0, expired: 0 };
  private readonly reasonCounts: Record<RejectionReason, number> = { declined: 0, cancelled: 0, withdrawn: 0 };
  private readonly refusalsByCode = new Map<string, number>();
  private readonly refusalsByAgent = new Map<string, Map<string, number>>();
  private readonly recent: RingBuffer<TimelineEntry>;
  private readonly topAgentCount: number;
  private readonly applied = new Subject<TimelineEntry>();
  private refusalTotal = 0;
  private eventCount = 0;
  private position = 0;
  private topAgentsCache: AgentRefusals[] | undefined;

  /** Each event as it is applied, in log order. */
  readonly applied$: Observable<TimelineEntry> = this.applied.asObservable();

  constructor(options: InspectorAggregateOptions = {}) {
    this.recent = new RingBuffer(options.recentEvents ?? 200);
    this.topAgentCount = options.topAgents ?? 10;
  }

  /** The position of the latest event applied, 0 before the first. */
  get lastPosition(): number {
    return this.position;
  }

  /**
   * Applies one stored event. An event at or before the latest position applied, or an
   * elicitation event that a snapshot already covers, is skipped, so a log read and a live
   * stream may overlap.
   */
  apply(event: DomainEvent): void {
    if (event.position <= this.position) return;
    this.position = event.position;
    this.eventCount += 1;

    const described = event.type === 'security.refused' ? this.applyRefusal(event) : this.applyElicitationEvent(event);
    if (described === undefined) return;

    const timelineEntry = toTimelineEntry(described);
    this.recent.push(timelineEntry);
    this.applied.next(timelineEntry);
  }

  /**
   * Adds an elicitation from a runtime's snapshot, for an inspector that starts without the
   * log: its history is the request and, when settled, the outcome, without positions.
   */
  seed(record: ElicitationRecord): void {
    if (this.entries.has(record.id)) return;

    const { from, to, message, schema, deadline, metadata } = record;
    const requested: RequestedRecord = { position: null, eventId: record.requestedEventId, type: 'elicitation.requested', time: record.requestedAt, data: { from, to, message, schema, deadline, metadata } };
    const entry = this.addElicitation(record.id, requested);
    if (record.state !== 'pending') this.settle(entry, record.state, record.state === 'rejected' ? record.reason : null, record.version, settlementRecordOf(record));
  }

  summary(): InspectorSummary {
    return {
      counts: { ...this.stateCounts },
      rejectedByReason: { ...this.reasonCounts },
      refusals: {
        total: this.refusalTotal,
        byCode: Object.fromEntries(this.refusalsByCode),
        topAgents: this.topAgents(),
        agents: this.refusalsByAgent.size,
      },
      elicitations: this.entries.size,
      events: this.eventCount,
      lastPosition: this.position,
    };
  }

  /** Returns the latest `count` events, oldest first. */
  recentEvents(count?: number): TimelineEntry[] {
    return this.recent.latest(count);
  }

  /**
   * Finds elicitations by exact id, ref or agent (requester or responder), newest first,
   * or, when none matches, by the start of their ids.
   */
  search(query: string, limit = 50): SearchResult {
    const trimmed = query.trim();
    const agentRefusals = this.refusalsOf(trimmed);
    const matchedBy: SearchResult['matchedBy'][number][] = [];
    const sources: (readonly string[])[] = [];

    if (this.entries.has(trimmed)) {
      matchedBy.push('id');
      sources.push([trimmed]);
    }
    const byRef = this.idsByRef.get(trimmed);
    if (byRef !== undefined) {
      matchedBy.push('ref');
      sources.push(byRef);
    }
    const byAgent = this.idsByAgent.get(trimmed);
    if (byAgent !== undefined) {
      matchedBy.push('agent');
      sources.push(byAgent);
    }

    if (sources.length === 0 && idPrefixPattern.test(trimmed)) return { query: trimmed, agentRefusals, ...this.searchIdPrefix(trimmed.toLowerCase(), limit) };
    const { total, ids } = newestOf(sources, limit, (id) => this.entries.get(id)!.sequence);
    return { query: trimmed, matchedBy, total, matches: ids.map((id) => summarize(this.entries.get(id)!)), agentRefusals };
  }

  /** Returns one elicitation's history, event by event, or `undefined` for an unknown id. */
  history(id: string): ElicitationHistory | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    return { elicitation: { ...summarize(entry), message: entry.message }, events: entry.records.map((record) => describeEvent(record, entry.id, entry.ref)) };
  }

  private applyElicitationEvent(event: Exclude<DomainEvent, { type: 'security.refused' }>): HistoryEntry | undefined {
    const existing = this.entries.get(event.elicitationId);

    if (event.type === 'elicitation.requested') {
      if (existing !== undefined) return undefined;
      const requested: RequestedRecord = { position: event.position, eventId: event.eventId, type: event.type, time: event.time, data: event.data };
      const entry = this.addElicitation(event.elicitationId, requested);
      return describeEvent(requested, entry.id, entry.ref);
    }

    const record = recordOf(event);
    // A terminal event already covered by a snapshot, or one without its request, changes nothing.
    if (existing === undefined || existing.version >= event.version || existing.state !== 'pending') return undefined;
    this.settle(existing, settledStates[event.type], event.type === 'elicitation.rejected' ? event.data.reason : null, event.version, record);
    return describeEvent(record, existing.id, existing.ref);
  }

  private applyRefusal(event: Extract<DomainEvent, { type: 'security.refused' }>): HistoryEntry {
    const refusal = event.data;
    const count = refusal.count ?? 1;
    this.refusalTotal += count;
    this.refusalsByCode.set(refusal.code, (this.refusalsByCode.get(refusal.code) ?? 0) + count);

    let byCode = this.refusalsByAgent.get(refusal.agent);
    if (byCode === undefined) {
      byCode = new Map();
      this.refusalsByAgent.set(refusal.agent, byCode);
    }
    byCode.set(refusal.code, (byCode.get(refusal.code) ?? 0) + count);
    this.topAgentsCache = undefined;

    const record = recordOf(event);
    const entry = refusal.elicitationId === undefined ? undefined : this.entries.get(refusal.elicitationId);
    entry?.records.push(record);
    return describeEvent(record, null, entry?.ref ?? null);
  }

  private addElicitation(id: string, requested: RequestedRecord): ElicitationEntry {
    const data = requested.data;
    const entry: ElicitationEntry = {
      sequence: this.entries.size,
      id,
      ref: refOf(data.metadata),
      from: data.from,
      to: data.to,
      message: data.message,
      requestedAt: requested.time,
      deadline: data.deadline,
      state: 'pending',
      reason: null,
      settledAt: null,
      version: 1,
      records: [requested],
    };
    this.entries.set(id, entry);
    this.stateCounts.pending += 1;

    if (entry.ref !== null) appendTo(this.idsByRef, entry.ref, id);
    appendTo(this.idsByAgent, entry.from, id);
    if (entry.to !== entry.from) appendTo(this.idsByAgent, entry.to, id);
    return entry;
  }

  private settle(entry: ElicitationEntry, state: ElicitationState, reason: RejectionReason | null, version: number, outcome: EventRecord): void {
    this.stateCounts[entry.state] -= 1;
    this.stateCounts[state] += 1;
    if (reason !== null) this.reasonCounts[reason] += 1;

    entry.state = state;
    entry.reason = reason;
    entry.settledAt = outcome.time;
    entry.version = version;
    entry.records.push(outcome);
  }

  private searchIdPrefix(prefix: string, limit: number): Pick<SearchResult, 'matchedBy' | 'total' | 'matches'> {
    // A scan of the ids in memory, newest last; it runs only when nothing matched exactly.
    const matching: ElicitationEntry[] = [];
    for (const entry of this.entries.values()) if (entry.id.startsWith(prefix)) matching.push(entry);
    const matches = matching.slice(-limit).reverse().map(summarize);
    return { matchedBy: matching.length === 0 ? [] : ['id prefix'], total: matching.length, matches };
  }

  private refusalsOf(agent: string): AgentRefusals | null {
    const byCode = this.refusalsByAgent.get(agent);
    return byCode === undefined ? null : agentRefusals(agent, byCode);
  }

  private topAgents(): AgentRefusals[] {
    // Ranked only when refusals changed since the last summary, because a summary goes out several times a second.
    this.topAgentsCache ??= [...this.refusalsByAgent]
      .map(([agent, byCode]) => agentRefusals(agent, byCode))
      .sort((a, b) => b.total - a.total || a.agent.localeCompare(b.agent))
      .slice(0, this.topAgentCount);
    return this.topAgentsCache;
  }
}

/**
 * Rebuilds the terminal event that settled `record` from its snapshot, which keeps neither
 * the event's position nor its id.
 */
function settlementRecordOf(record: Exclude<ElicitationRecord, { state: 'pending' }>): EventRecord {
  const fields = { position: null, eventId: null, time: record.settledAt };
  switch (record.state) {
    case 'answered':
      return { ...fields, type: 'elicitation.answered', data: { by: record.by, content: record.content } };
    case 'rejected':
      return { ...fields, type: 'elicitation.rejected', data: { by: record.by, reason: record.reason } };
    case 'expired':
      return { ...fields, type: 'elicitation.expired', data: { deadline: record.deadline } };
  }
}

function refOf(metadata: Record<string, unknown>): string | null {
  return typeof metadata.ref === 'string' ? metadata.ref : null;
}

function summarize(entry: ElicitationEntry): ElicitationSummary {
  const { id, ref, from, to, state, reason, requestedAt, deadline, settledAt } = entry;
  return { id, ref, from, to, state, reason, requestedAt, deadline, settledAt };
}

function agentRefusals(agent: string, byCode: ReadonlyMap<string, number>): AgentRefusals {
  let total = 0;
  for (const count of byCode.values()) total += count;
  return { agent, total, byCode: Object.fromEntries(byCode) };
}

function appendTo(index: Map<string, string[]>, key: string, id: string): void {
  const ids = index.get(key);
  if (ids === undefined) index.set(key, [id]);
  else ids.push(id);
}

/** Returns the newest `limit` ids of the union of `sources`, each of which is in request order. */
function newestOf(sources: readonly (readonly string[])[], limit: number, sequenceOf: (id: string) => number): { total: number; ids: string[] } {
  if (sources.length === 1) {
    const only = sources[0]!;
    return { total: only.length, ids: only.slice(-limit).reverse() };
  }
  const union = [...new Set(sources.flat())].sort((a, b) => sequenceOf(b) - sequenceOf(a));
  return { total: union.length, ids: union.slice(0, limit) };
}
