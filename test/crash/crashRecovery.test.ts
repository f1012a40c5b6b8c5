import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readAll, replay, type DomainEvent } from '../../src/index.js';
import { SqliteEventStore } from '../../src/store/sqliteEventStore.js';

const kills = Number(process.env.CRASH_KILLS ?? 6);
const driver = join(import.meta.dirname, 'crashDriver.mjs');

/** Which SQLite store the driver writes through: commits on the main thread or on a worker thread. */
type Writer = 'main' | 'thread';

interface Acknowledgement {
  readonly op: string;
  readonly id: string;
}

interface DriverRun {
  readonly acknowledgements: Acknowledgement[];
  readonly recovered: Record<string, number> | undefined;
  readonly stderr: string;
}

/**
 * Starts the driver and, once it has recovered and printed so, lets it run for `runMs`
 * and kills it with SIGKILL. Counting from recovery keeps a slow start on a busy machine
 * from being killed before it reports what it rebuilt.
 */
function runAndKill(storePath: string, writer: Writer, runMs: number): Promise<DriverRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [driver, storePath, writer], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (killTimer === undefined && stdout.includes('"recovered"')) killTimer = setTimeout(() => child.kill('SIGKILL'), runMs);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      const lines = stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({
        acknowledgements: lines.filter((line) => 'op' in line) as unknown as Acknowledgement[],
        recovered: lines.find((line) => 'recovered' in line)?.recovered as Record<string, number> | undefined,
        stderr,
      });
    });
    // A driver that never reports its recovery is killed after a generous bound, and the test fails on it.
    setTimeout(() => child.kill('SIGKILL'), runMs + 30_000);
  });
}

async function readStore(storePath: string): Promise<DomainEvent[]> {
  const store = new SqliteEventStore(storePath);
  try {
    return await readAll(store);
  } finally {
    store.close();
  }
}

const terminalOf: Record<string, string> = { accept: 'elicitation.answered', decline: 'elicitation.rejected', cancel: 'elicitation.rejected', withdraw: 'elicitation.rejected' };

describe.each<Writer>(['main', 'thread'])('crash recovery, SQLite committing on the %s thread', (writer) => {
  it(`loses no acknowledged command across ${kills} kills`, async () => {
    const folder = mkdtempSync(join(tmpdir(), 'elicit-crash-'));
    onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
    const storePath = join(folder, 'crash.db');
    let previousCounts: Record<string, number> | undefined;
    let acknowledged = 0;

    for (let kill = 0; kill < kills; kill++) {
      const run = await runAndKill(storePath, writer, 300 + Math.floor(Math.random() * 700));
      expect(run.stderr).toBe('');
      const events = await readStore(storePath);
      const projection = await replay(events);

      // The restarted runtime rebuilt the state the log held when the previous one died,
      // plus the expiries of deadlines that passed while it was down.
      if (previousCounts !== undefined) {
        expect(run.recovered).toBeDefined();
        const recovered = run.recovered!;
        expect(recovered.pending! + recovered.expired!).toBe(previousCounts.pending! + previousCounts.expired!);
        expect(recovered.answered).toBe(previousCounts.answered);
        expect(recovered.rejected).toBe(previousCounts.rejected);
      }

      expect(events.map((event) => event.position)).toEqual(events.map((_, index) => index + 1));
      const byElicitation = new Map<string, string[]>();
      for (const event of events) {
        if (event.elicitationId === null) continue;
        byElicitation.set(event.elicitationId, [...(byElicitation.get(event.elicitationId) ?? []), event.type]);
      }
      for (const types of byElicitation.values()) {
        expect(types[0]).toBe('elicitation.requested');
        expect(types.length).toBeLessThanOrEqual(2);
      }
      for (const acknowledgement of run.acknowledgements) {
        const types = byElicitation.get(acknowledgement.id) ?? [];
        const expected = acknowledgement.op === 'request' ? 'elicitation.requested' : terminalOf[acknowledgement.op]!;
        expect(types, `${acknowledgement.op} of ${acknowledgement.id} was acknowledged`).toContain(expected);
      }

      acknowledged += run.acknowledgements.length;
      previousCounts = projection.counts();
    }
    expect(acknowledged).toBeGreaterThan(kills * 10);
  });
});
