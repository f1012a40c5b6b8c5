/**
 * The reference implementation: the same request/accept/expiry semantics as the runtime in
 * plain TypeScript, with no XState and no RxJS. A Map of records, a token bucket per agent,
 * one indexed binary heap of deadlines, Ajv for content, and events pushed onto an array.
 * Comparing the runtime with it shows what the actor design costs.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { ElicitationError, type AcceptInput, type RequestInput } from '../src/index.js';

type BaselineState = 'pending' | 'answered' | 'expired';

interface BaselineRecord {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** The compiled validator, shared by every record whose schema has the same JSON text. */
  readonly validate: ValidateFunction;
  readonly deadline: number;
  readonly correlationId: string;
  state: BaselineState;
  version: number;
  deadlineEntry: DeadlineEntry | undefined;
}

interface DeadlineEntry {
  readonly due: number;
  readonly sequence: number;
  readonly record: BaselineRecord;
  index: number;
}

/** An event as the baseline's log stores it, with the runtime's domain event fields. */
export interface BaselineEvent {
  readonly position: number;
  readonly eventId: string;
  readonly type: 'elicitation.requested' | 'elicitation.answered' | 'elicitation.expired';
  readonly elicitationId: string;
  readonly version: number;
  readonly time: number;
  readonly causationId: string;
  readonly correlationId: string;
  readonly data: Record<string, unknown>;
}

export interface BaselineOptions {
  /** Epoch milliseconds; `Date.now` unless the caller moves time itself with `advanceTo`. */
  readonly now?: () => number;
  /** Arms one Node timer for the earliest deadline, as a wall-clock host would. */
  readonly wallClockTimers?: boolean;
  /** Tokens a minute and burst of each agent's bucket, for requests and for responses alike. */
  readonly bucket: { readonly perMinute: number; readonly burst: number };
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class BaselineElicitations {
  /** The log; `discardWrittenEvents` empties it, as if a store had taken its events. */
  readonly events: BaselineEvent[] = [];
  private lastPosition = 0;
  private readonly records = new Map<string, BaselineRecord>();
  private readonly pendingByResponder = new Map<string, Set<string>>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  private readonly deadlines: DeadlineEntry[] = [];
  private readonly now: () => number;
  private readonly bucketLimit: BaselineOptions['bucket'];
  private readonly wallClockTimers: boolean;
  private wallClockTimer: { readonly due: number; readonly timer: NodeJS.Timeout } | undefined;
  private nextSequence = 0;
  private simulatedTime: number | undefined;

  constructor(options: BaselineOptions) {
    this.now = options.now ?? Date.now;
    this.bucketLimit = options.bucket;
    this.wallClockTimers = options.wallClockTimers ?? false;
  }

  get pendingCount(): number {
    return this.deadlines.length;
  }

  async request(input: RequestInput): Promise<{ id: string; deadline: number }> {
    const now = this.beginCommand();
    this.takeToken(`requests:${input.from}`, now);
    if (typeof input.to !== 'string' || typeof input.message !== 'string' || !Number.isInteger(input.timeoutMs) || input.timeoutMs < 1) {
      throw new ElicitationError('INVALID_REQUEST', `request from "${input.from}" has invalid fields`);
    }
    const schema = structuredClone(input.schema);
    const validate = this.validatorFor(schema);

    const commandId = uuidv7();
    const record: BaselineRecord = {
      id: randomUUID(), from: input.from, to: input.to, validate, deadline: now + input.timeoutMs,
      correlationId: commandId, state: 'pending', version: 1, deadlineEntry: undefined,
    };
    this.records.set(record.id, record);
    this.addPending(record);
    this.addDeadline(record);
    const data = { from: input.from, to: input.to, message: input.message, schema, deadline: record.deadline, metadata: structuredClone(input.metadata ?? {}) };
    this.append(record, 'elicitation.requested', now, commandId, data);
    return { id: record.id, deadline: record.deadline };
  }

  async accept(input: AcceptInput): Promise<{ id: string; state: BaselineState }> {
    const now = this.beginCommand();
    this.takeToken(`responses:${input.agent}`, now);

    const record = this.records.get(input.id);
    if (record === undefined) throw new ElicitationError('NOT_FOUND', `no elicitation has id ${input.id}`);
    if (record.to !== input.agent) throw new ElicitationError('UNAUTHORIZED', `agent "${input.agent}" may not accept elicitation ${input.id}`);
    if (record.state === 'expired' || now >= record.deadline) throw new ElicitationError('EXPIRED', `elicitation ${input.id} expired`);
    if (record.state !== 'pending') throw new ElicitationError('ALREADY_SETTLED', `elicitation ${input.id} is already ${record.state}`);
    const content = structuredClone(input.content);
    if (!record.validate(content)) throw new ElicitationError('INVALID_CONTENT', `content for elicitation ${input.id} does not match its schema`);

    record.state = 'answered';
    this.removeDeadline(record);
    this.removePending(record);
    this.append(record, 'elicitation.answered', now, uuidv7(), { by: input.agent, content });
    return { id: record.id, state: record.state };
  }

  /** Moves simulated time to `time`, stamping each expiry with its own deadline. */
  advanceTo(time: number): void {
    for (let first = this.deadlines[0]; first !== undefined && first.due <= time; first = this.deadlines[0]) {
      this.simulatedTime = first.due;
      this.expire(first.record, first.due);
    }
    this.simulatedTime = time;
  }

  /** Fires every deadline due at or before the current time. */
  expireDue(): void {
    const now = this.currentTime();
    for (let first = this.deadlines[0]; first !== undefined && first.due <= now; first = this.deadlines[0]) this.expire(first.record, now);
    this.armWallClockTimer();
  }

  /** Empties the log, so heap measurements count the records and not the events a store would hold. */
  discardWrittenEvents(): void {
    this.events.length = 0;
  }

  stop(): void {
    if (this.wallClockTimer) clearTimeout(this.wallClockTimer.timer);
    this.wallClockTimer = undefined;
  }

  private beginCommand(): number {
    // As in the runtime: a deadline at or before now fires before the command runs.
    this.expireDue();
    return this.currentTime();
  }

  private currentTime(): number {
    return this.simulatedTime ?? this.now();
  }

  private expire(record: BaselineRecord, now: number): void {
    record.state = 'expired';
    this.removeDeadline(record);
    this.removePending(record);
    this.append(record, 'elicitation.expired', now, record.correlationId, { deadline: record.deadline });
  }

  private append(record: BaselineRecord, type: BaselineEvent['type'], time: number, causationId: string, data: Record<string, unknown>): void {
    if (type !== 'elicitation.requested') record.version += 1;
    this.lastPosition += 1;
    this.events.push({
      position: this.lastPosition, eventId: uuidv7(), type, elicitationId: record.id, version: record.version,
      time, causationId, correlationId: record.correlationId, data,
    });
  }

  private takeToken(key: string, now: number): void {
    const { perMinute, burst } = this.bucketLimit;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: burst, updatedAt: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.updatedAt) * perMinute) / 60_000);
    bucket.updatedAt = Math.max(bucket.updatedAt, now);
    if (bucket.tokens < 1) throw new ElicitationError('RATE_LIMITED', `${key} has used its rate limit`);
    bucket.tokens -= 1;
  }

  private validatorFor(schema: Record<string, unknown>): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.validators.get(key);
    if (validate === undefined) {
      validate = this.ajv.compile(schema);
      this.validators.set(key, validate);
    }
    return validate;
  }

  private addPending(record: BaselineRecord): void {
    let ids = this.pendingByResponder.get(record.to);
    if (ids === undefined) {
      ids = new Set();
      this.pendingByResponder.set(record.to, ids);
    }
    ids.add(record.id);
  }

  private removePending(record: BaselineRecord): void {
    this.pendingByResponder.get(record.to)?.delete(record.id);
  }

  private addDeadline(record: BaselineRecord): void {
    const entry: DeadlineEntry = { due: record.deadline, sequence: this.nextSequence++, record, index: this.deadlines.length };
    record.deadlineEntry = entry;
    this.deadlines.push(entry);
    this.siftUp(entry.index);
    this.armWallClockTimer();
  }

  private removeDeadline(record: BaselineRecord): void {
    const entry = record.deadlineEntry;
    record.deadlineEntry = undefined;
    if (entry === undefined || entry.index < 0) return;

    const last = this.deadlines.pop()!;
    const index = entry.index;
    entry.index = -1;
    if (last === entry) return;
    this.deadlines[index] = last;
    last.index = index;
    this.siftDown(index);
    this.siftUp(last.index);
  }

  /** Keeps one Node timer armed for the earliest deadline; an earlier one re-arms it. */
  private armWallClockTimer(): void {
    const first = this.deadlines[0];
    if (!this.wallClockTimers || first === undefined) return;
    if (this.wallClockTimer && this.wallClockTimer.due <= first.due) return;

    if (this.wallClockTimer) clearTimeout(this.wallClockTimer.timer);
    const timer = setTimeout(() => {
      this.wallClockTimer = undefined;
      this.expireDue();
    }, Math.max(0, first.due - this.now()));
    this.wallClockTimer = { due: first.due, timer };
  }

  private precedes(a: DeadlineEntry, b: DeadlineEntry): boolean {
    return a.due < b.due || (a.due === b.due && a.sequence < b.sequence);
  }

  private siftUp(start: number): void {
    for (let index = start; index > 0; ) {
      const parent = (index - 1) >> 1;
      if (!this.precedes(this.deadlines[index]!, this.deadlines[parent]!)) return;
      this.swap(index, parent);
      index = parent;
    }
  }

  private siftDown(start: number): void {
    const heap = this.deadlines;
    for (let index = start; ; ) {
      const left = 2 * index + 1;
      let smallest = index;
      if (left < heap.length && this.precedes(heap[left]!, heap[smallest]!)) smallest = left;
      if (left + 1 < heap.length && this.precedes(heap[left + 1]!, heap[smallest]!)) smallest = left + 1;
      if (smallest === index) return;
      this.swap(index, smallest);
      index = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const first = this.deadlines[a]!;
    const second = this.deadlines[b]!;
    this.deadlines[a] = second;
    this.deadlines[b] = first;
    second.index = a;
    first.index = b;
  }
}
