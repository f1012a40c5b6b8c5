/**
 * A worker thread with a SQLite connection of its own for the large appends, so that such a
 * commit and its fsync block that thread and not the host's event loop. Each write is one
 * transaction of rows. The thread replies once it has committed, or with the error that
 * rolled it back.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ElicitationError } from '../runtime/errors.js';
import { connectionPragmas, insertEventSql, type SqliteSynchronous } from './sqliteSchema.js';

/** The settings the writer thread starts with. */
interface WriterData {
  /** The absolute path of better-sqlite3, because an evaluated worker resolves modules from the working directory. */
  readonly driverPath: string;
  readonly path: string;
  readonly pragmas: readonly string[];
  readonly insertSql: string;
}

type WriterRequest = { readonly kind: 'write'; readonly id: number; readonly rows: readonly (readonly unknown[])[] } | { readonly kind: 'close' };

type WriterReply =
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly ok: false; readonly message: string; readonly sqliteCode: string | undefined };

/**
 * Opens the writer connection and commits each batch it receives; this is the worker's whole
 * program. It runs as evaluated source, so it may use nothing from this module, only
 * `require` and the `WriterData` it is given.
 */
function writerThreadMain(): void {
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const data = threads.workerData as WriterData;
  const port = threads.parentPort!;
  const Driver = require(data.driverPath) as typeof import('better-sqlite3');
  const database = new Driver(data.path);
  for (const pragma of data.pragmas) database.pragma(pragma);
  const insert = database.prepare(data.insertSql);
  const writeRows = database.transaction((rows: readonly (readonly unknown[])[]) => {
    for (const row of rows) insert.run(row);
  });

  port.on('message', (request: WriterRequest) => {
    if (request.kind === 'close') {
      database.close();
      port.close();
      return;
    }
    try {
      writeRows(request.rows);
      port.postMessage({ id: request.id, ok: true } satisfies WriterReply);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const sqliteCode = (error as { code?: unknown }).code;
      port.postMessage({ id: request.id, ok: false, message, sqliteCode: typeof sqliteCode === 'string' ? sqliteCode : undefined } satisfies WriterReply);
    }
  });
}

/** An error the writer thread replied with: SQLite rolled the transaction back. */
export class SqliteWriteError extends Error {
  override readonly name = 'SqliteWriteError';

  constructor(message: string, readonly sqliteCode: string | undefined) {
    super(message);
  }
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class SqliteWriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  /** Set once the thread has exited; every later write fails with it. */
  private exitError: ElicitationError | undefined;
  private readonly exited: Promise<void>;

  /** Starts the thread on the log at `path`, which `openEventsDatabase` has already created. */
  constructor(private readonly path: string, synchronous: SqliteSynchronous) {
    const data: WriterData = {
      driverPath: createRequire(import.meta.url).resolve('better-sqlite3'),
      path,
      pragmas: connectionPragmas(synchronous),
      insertSql: insertEventSql,
    };
    // An evaluated worker inherits the host's `execArgv`, and `--input-type=module` among them
    // would run this CommonJS source as a module, so the thread starts with none.
    // NOTE: the source is the compiled function's text, so a bundler or a coverage tool that
    // rewrites `require` or instruments the function breaks the thread.
    this.worker = new Worker(`(${writerThreadMain.toString()})()`, { eval: true, workerData: data, execArgv: [] });
    this.worker.on('message', (reply: WriterReply) => this.settle(reply));
    this.worker.on('error', (error) => this.fail(`the SQLite writer thread for ${this.path} failed (${error.message})`));
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        this.fail(`the SQLite writer thread for ${this.path} exited with code ${code}`);
        resolve();
      });
    });
    // An idle writer does not keep the host alive, but one with a write in flight does (see `write`).
    // This comes after the listeners, because adding a 'message' listener references the worker's port again.
    this.worker.unref();
  }

  /** The error every write fails with once the thread has died, or undefined while it runs. */
  get failure(): ElicitationError | undefined {
    return this.exitError;
  }

  /** Writes `rows` (the parameters of `insertEventSql`) in one transaction; resolves once committed. */
  write(rows: readonly (readonly unknown[])[]): Promise<void> {
    if (this.exitError !== undefined) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ kind: 'write', id, rows } satisfies WriterRequest);
    });
  }

  /** Closes the thread's connection and waits for the thread to exit; writes sent before still finish. */
  async close(): Promise<void> {
    if (this.exitError === undefined) this.worker.postMessage({ kind: 'close' } satisfies WriterRequest);
    this.worker.ref();
    await this.exited;
  }

  private settle(reply: WriterReply): void {
    const waiter = this.waiting.get(reply.id);
    if (waiter === undefined) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker.unref();
    if (reply.ok) waiter.resolve();
    else waiter.reject(new SqliteWriteError(reply.message, reply.sqliteCode));
  }

  /**
   * Fails every write in flight and every later one; the thread is gone or going.
   * NOTE: a write the thread committed but could not reply to before it died is failed too,
   * so the runtime undoes events that the file holds, and a restart brings them back. The
   * store then rejects every append, because its next position may already be taken.
   */
  private fail(message: string): void {
    this.exitError ??= new ElicitationError('STORE_UNAVAILABLE', `${message}; the writes in flight may or may not be stored, so open the store again, which reads what the file holds`);
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiters) waiter.reject(this.exitError);
  }
}
