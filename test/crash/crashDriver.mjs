// Drives load through the built runtime on a SQLite file until it is killed. Every command
// whose promise resolved is printed as one JSON line on stdout: an acknowledgement that the
// parent test holds the log to after the kill. Usage: node crashDriver.mjs STORE_FILE [main|thread],
// where the second argument picks the SQLite store that commits on the main thread (the default)
// or the one that moves large commits to a worker thread. Its limit is set low, so that under
// this load batches commit on both threads before the kill.
import { createElicitationRuntime } from '../../dist/index.js';
import { SqliteEventStore, ThreadedSqliteEventStore } from '../../dist/store/sqliteEventStore.js';

const [storePath, writer = 'main'] = process.argv.slice(2);
const runtime = await createElicitationRuntime({
  store: writer === 'thread' ? new ThreadedSqliteEventStore(storePath, { inlineBatchLimit: 4 }) : new SqliteEventStore(storePath),
  security: { level: 'standard', rateLimits: { requests: { perMinute: 1e9, burst: 1e9 }, responses: { perMinute: 1e9, burst: 1e9 } } },
});

const counts = { pending: 0, answered: 0, rejected: 0, expired: 0 };
for (const elicitation of runtime.elicitations()) counts[elicitation.state] += 1;
process.stdout.write(`${JSON.stringify({ recovered: counts })}\n`);

const acknowledge = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);
const schema = { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] };
const responses = ['accept', 'accept', 'decline', 'cancel', 'withdraw', 'none'];
let sequence = 0;

async function lifecycle() {
  const number = sequence++;
  const from = `requester-${number % 7}`;
  const to = `responder-${number % 5}`;
  const { id } = await runtime.request({ from, to, message: `question ${number}`, schema, timeoutMs: 20 + (number % 200) });
  acknowledge({ op: 'request', id });

  await new Promise((resolve) => setTimeout(resolve, number % 40));
  const response = responses[number % responses.length];
  try {
    if (response === 'accept') await runtime.accept({ id, agent: to, content: { approved: true } });
    else if (response === 'decline') await runtime.decline({ id, agent: to });
    else if (response === 'cancel') await runtime.cancel({ id, agent: to });
    else if (response === 'withdraw') await runtime.withdraw({ id, agent: from });
    else return;
    acknowledge({ op: response, id });
  } catch (error) {
    // EXPIRED is an expected outcome under load; anything else is a real failure.
    if (error?.code !== 'EXPIRED') throw error;
  }
}

async function worker() {
  for (;;) await lifecycle();
}

await Promise.all(Array.from({ length: 64 }, worker));
