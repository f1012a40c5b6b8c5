/**
 * The public facade: create a runtime, send it requests and responses, read elicitations
 * and follow the event log. Each command runs in phases: take a rate-limit token, find the
 * elicitation, let its machine decide, record the event, and settle the caller's promise
 * once the event is durable.
 */
import { Subject, type Observable } from 'rxjs';
import type { InspectionEvent, Observer } from 'xstate';
import { Supervisor } from '../actors/supervisor.js';
import { elicitationMachine, type ElicitationCommand, type ElicitationInput, type Settlement } from '../machines/elicitationMachine.js';
import type { CommandType } from '../machines/rules.js';
import { RateLimiter, type BucketKind } from '../security/rateLimiter.js';
import { SchemaValidator } from '../security/schemaValidator.js';
import { defaultInputLimits, type InputLimits } from '../security/jsonLimits.js';
import { checkMcpSchema } from '../security/mcpSchemaProfile.js';
import { RefusalAudit } from '../security/refusalAudit.js';
import { resolveSecurityPolicy, type SecurityOptions, type SecurityPolicy } from '../security/securityPolicy.js';
import type { CommandName, DomainEvent, JsonSchema, RefusedData, RefusedEvent, TerminalEvent, UnstoredEvent } from '../store/domainEvent.js';
import type { EventStore } from '../store/eventStore.js';
import { MemoryEventStore } from '../store/memoryEventStore.js';
import { ElicitationProjection, foldElicitation, type ElicitationRecord } from '../store/projection.js';
import { SettledRetention } from './settledRetention.js';
import { SystemClock, type RuntimeClock } from './clock.js';
import { ElicitationError, type ErrorCode } from './errors.js';
import { EventLog, type StoreRetryOptions, type Submission } from './eventLog.js';
import { commandNames, Refusals } from './refusals.js';
import { asAgentId, asElicitationId, type AgentId, type ElicitationId } from './ids.js';
import { checkAgentId, checkElicitationId, checkMessage, checkPlainObject, checkTimeoutMs, copyJson, serializeJson } from './requestValidation.js';
import { newTimeOrderedId } from './timeOrderedIds.js';

export interface ElicitationRuntimeOptions {
  /** The event store; an in-memory store when omitted. */
  readonly store?: EventStore;
  /** The source of time for deadlines, rate limits and timestamps; the wall clock when omitted. */
  readonly clock?: RuntimeClock;
  readonly security?: SecurityOptions;
  /**
   * `json-schema` (the default) takes any JSON Schema 2020-12 or draft-07. `mcp` takes only
   * what MCP form-mode elicitation allows: a flat object of string, number, integer, boolean
   * and enum properties; other schemas get `INVALID_REQUEST` at `request`.
   */
  readonly schemaProfile?: 'json-schema' | 'mcp';
  /**
   * `sync` (the default): a command's promise settles once its event is durable.
   * `async`: it settles as soon as the state has changed in memory, and events acknowledged
   * that way are lost if the process dies before their batch is written.
   */
  readonly durability?: 'sync' | 'async';
  readonly limits?: {
    /** Requests past this many pending elicitations get `OVERLOADED`. */
    readonly maxPending?: number;
    /** Requests while more than this many events wait for the store get `OVERLOADED`. */
    readonly maxBacklog?: number;
    readonly maxBatchSize?: number;
    /** Retry settings for a failing store, past which commands fail with `STORE_UNAVAILABLE`. */
    readonly storeRetry?: StoreRetryOptions;
    /** How many compiled schemas to keep. */
    readonly maxCachedSchemas?: number;
    /** Size and depth limits of schemas, content and metadata. */
    readonly input?: Partial<InputLimits>;
    /**
     * How many settled elicitations to keep in memory, the most recently settled, from 0 up;
     * unlimited by default. Each one leaves memory once its final event is durable. An older
     * one is read back from the store when a command or a lookup names it, with the same
     * outcome, and `elicitations()` no longer lists it. The store must implement
     * `readElicitation`, as the SQLite stores do.
     */
    readonly maxSettledInMemory?: number;
  };
  /**
   * Receives XState's inspection events of every elicitation actor. With it, each command and
   * each deadline spawns a real actor, which costs about three times what the actor-free
   * path costs, so pass it only while someone inspects the runtime.
   */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Called with the size of each batch written to the store. */
  readonly onBatch?: (size: number) => void;
}

export interface RequestInput {
  readonly from: string;
  readonly to: string;
  readonly message: string;
  readonly schema: JsonSchema;
  readonly timeoutMs: number;
  readonly metadata?: Record<string, unknown>;
}

export interface RequestResult {
  readonly id: ElicitationId;
  /** Epoch milliseconds. */
  readonly deadline: number;
  /** Only at security `strict`: pass it to the responder, who must send it with its answer. */
  readonly responseToken?: string;
}

export interface ResponseInput {
  readonly id: string;
  readonly agent: string;
  readonly token?: string;
}

export interface AcceptInput extends ResponseInput {
  readonly content: unknown;
}

export interface WithdrawInput {
  readonly id: string;
  readonly agent: string;
}

/** An elicitation as the runtime sees it now; `state` decides which fields exist. */
export type ElicitationSnapshot = ElicitationRecord;

/** A pending elicitation as its responder sees it, with its response token at `strict`. */
export type PendingElicitation = ElicitationRecord & { readonly state: 'pending'; readonly responseToken?: string };

/** A failure inside an elicitation actor, reported by its supervisor. */
export interface ActorFailure {
  readonly elicitationId: ElicitationId;
  readonly error: unknown;
}


/**
 * Creates a runtime on `options.store`, rebuilding every elicitation from its log:
 * pending ones are supervised again with their original deadlines, and those whose
 * deadline passed while no runtime ran expire at once.
 *
 * @example
 * const runtime = await createElicitationRuntime({ store: new SqliteEventStore('elicit.db') })
 * const { id } = await runtime.request({ from: 'alice', to: 'bob', message: 'Deploy?', schema: { type: 'object' }, timeoutMs: 30_000 })
 * await runtime.accept({ id, agent: 'bob', content: { approved: true } })
 * console.log(runtime.get(id)?.state) // 'answered'
 */
export async function createElicitationRuntime(options: ElicitationRuntimeOptions = {}): Promise<ElicitationRuntime> {
  const policy = resolveSecurityPolicy(options.security);
  const store = options.store ?? new MemoryEventStore();
  const runtime = new ElicitationRuntime(options, policy, store);
  await runtime.recover(store.read());
  return runtime;
}

export class ElicitationRuntime {
  private readonly clock: RuntimeClock;
  private readonly ownsClock: boolean;
  private readonly policy: SecurityPolicy;
  private readonly store: EventStore;
  private readonly log: EventLog;
  private readonly projection = new ElicitationProjection();
  private readonly supervisor: Supervisor;
  private readonly validator: SchemaValidator;
  private readonly rateLimiter: RateLimiter | undefined;
  private readonly refusalAudit: RefusalAudit | undefined;
  private readonly refusals: Refusals;
  private readonly inputLimits: InputLimits;
  private readonly schemaProfile: 'json-schema' | 'mcp';
  private readonly durability: 'sync' | 'async';
  private readonly maxPending: number;
  private readonly maxBacklog: number;
  /** The retention of settled elicitations in memory, when `limits.maxSettledInMemory` is set. */
  private readonly retention: SettledRetention | undefined;
  private readonly failures = new Subject<ActorFailure>();
  /** Terminal events not yet durable, so `settled` waits for them. Each leaves once stored or undone. */
  private readonly settling = new Map<ElicitationId, Submission>();
  private readonly settledWaiters = new Map<ElicitationId, ((outcome: Promise<ElicitationSnapshot>) => void)[]>();
  /** The terminal event submitted by the delivery that is running now. */
  private lastSettlement: Submission | undefined;
  private stopped = false;

  /** Every durable event, in log order, each once, from the time of subscription on. */
  readonly transitions$: Observable<DomainEvent>;

  /** Failures of an elicitation's machine; each elicitation stays pending, and its next command runs the machine afresh. */
  readonly failures$: Observable<ActorFailure>;

  /** Use `createElicitationRuntime`, which also rebuilds the state from the store. */
  constructor(options: ElicitationRuntimeOptions, policy: SecurityPolicy, store: EventStore) {
    this.clock = options.clock ?? new SystemClock();
    this.ownsClock = options.clock === undefined;
    this.policy = policy;
    this.store = store;
    this.durability = options.durability ?? 'sync';
    this.maxPending = options.limits?.maxPending ?? 10_000_000;
    this.maxBacklog = options.limits?.maxBacklog ?? 100_000;
    this.validator = new SchemaValidator({ maxCachedSchemas: options.limits?.maxCachedSchemas ?? 1000 });
    this.rateLimiter = policy.rateLimits ? new RateLimiter(policy.rateLimits) : undefined;
    this.refusalAudit = policy.audit ? new RefusalAudit(policy.audit, this.clock, (refusal, time) => this.appendRefusal(refusal, time)) : undefined;
    this.refusals = new Refusals({ clock: this.clock, tokens: policy.tokens, validator: this.validator, audit: this.refusalAudit });
    this.inputLimits = { ...defaultInputLimits, ...options.limits?.input };
    this.schemaProfile = options.schemaProfile ?? 'json-schema';
    this.log = new EventLog(store, {
      maxBatchSize: options.limits?.maxBatchSize ?? 2048,
      ...(options.limits?.storeRetry ? { retry: options.limits.storeRetry } : {}),
      ...(options.onBatch ? { onBatch: options.onBatch } : {}),
      onRollback: (events) => this.rollBack(events),
      onStored: (submission) => {
        const id = submission.event.elicitationId;
        if (id !== null && this.settling.get(id) === submission) this.settling.delete(id);
      },
    });
    this.transitions$ = this.log.committed$;
    this.retention = this.settledRetention(options.limits?.maxSettledInMemory);
    this.failures$ = this.failures.asObservable();

    const tokens = policy.tokens;
    const validator = this.validator;
    const machine = elicitationMachine.provide({
      guards: {
        hasValidToken: ({ context, event }) => !context.tokenRequired || (tokens?.verify(event.token, context.id, context.responder) ?? false),
        contentMatchesSchema: ({ context, event }) => event.type === 'ACCEPT' && validator.matches(context.schema, event.content),
      },
    });
    this.supervisor = new Supervisor({
      machine,
      clock: this.clock,
      ...(options.inspect ? { inspect: options.inspect } : {}),
      hooks: {
        inputOf: (id, now) => this.inputOf(asElicitationId(id), now),
        onSettled: (id, settlement) => this.recordSettlement(asElicitationId(id), settlement),
        onFailure: (id, error) => this.failures.next({ elicitationId: asElicitationId(id), error }),
      },
    });
  }

  /** Rebuilds the state from stored events; called once, by `createElicitationRuntime`. */
  async recover(history: Iterable<DomainEvent> | AsyncIterable<DomainEvent>): Promise<void> {
    // Applied while reading, so a long log is never held in memory as a whole; a synchronous
    // store is read without an await per event.
    if (Symbol.iterator in history) for (const event of history) this.recoverEvent(event);
    else for await (const event of history) this.recoverEvent(event);

    for (const record of this.projection.all()) {
      if (record.state === 'pending') this.superviseRecord(record);
    }
    // Deadlines that passed while no runtime ran fire now, stamped with the recovery time.
    this.clock.fireDue();
  }

  /**
   * Asks `to` for content that matches `schema` within `timeoutMs`. Resolves once the
   * request is durable, with the id and, at `strict`, the responder's token.
   */
  request(input: RequestInput): Promise<RequestResult> {
    try {
      return this.requestNow(input);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Settles the elicitation as `answered` with the responder's `content`, which must match the schema. */
  accept(input: AcceptInput): Promise<ElicitationSnapshot> {
    return this.respond('ACCEPT', input, input.content);
  }

  /** Rejects the elicitation for the responder, with the reason `declined`. */
  decline(input: ResponseInput): Promise<ElicitationSnapshot> {
    return this.respond('DECLINE', input);
  }

  /** Rejects the elicitation for a responder who dismissed it without a choice, with the reason `cancelled`. */
  cancel(input: ResponseInput): Promise<ElicitationSnapshot> {
    return this.respond('CANCEL', input);
  }

  /** Rejects the elicitation for its requester, with the reason `withdrawn`. */
  withdraw(input: WithdrawInput): Promise<ElicitationSnapshot> {
    return this.respond('WITHDRAW', input);
  }

  /**
   * Returns the elicitation as it is now, or `undefined` if no such id was requested. Under
   * `limits.maxSettledInMemory` it may read the store, and throws `STORE_UNAVAILABLE` when
   * that read fails.
   */
  get(id: string): ElicitationSnapshot | undefined {
    return this.recordOf(asElicitationId(id));
  }

  /** Lists the elicitations pending for `responder`, oldest first, with response tokens at `strict`. */
  pending(responder: string): PendingElicitation[] {
    const tokens = this.policy.tokens;
    return this.projection.pendingFor(asAgentId(responder)).map((id) => {
      const record = this.projection.get(id) as ElicitationRecord & { state: 'pending' };
      return tokens ? { ...record, responseToken: tokens.issue(id, record.to) } : record;
    });
  }

  /**
   * Iterates over every elicitation in memory, in the order of their requests: all of them,
   * unless `limits.maxSettledInMemory` keeps only the most recently settled.
   */
  elicitations(): IterableIterator<ElicitationSnapshot> {
    return this.projection.all();
  }

  /**
   * Signs a new response token for the responder of `id`, at `strict` only. It is for
   * the host that delivers the elicitation, never for an agent: any token it signs works.
   */
  issueResponseToken(id: string): string | undefined {
    const record = this.recordOf(asElicitationId(id));
    if (record === undefined) throw this.refusals.notFound(id);
    return this.policy.tokens?.issue(record.id, record.to);
  }

  /**
   * Resolves with the elicitation once it is final and its final event is durable, under
   * either `durability`. Rejects with `STORE_UNAVAILABLE` if the store never takes that event.
   */
  settled(id: string): Promise<ElicitationSnapshot> {
    try {
      return this.settledNow(id);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private settledNow(id: string): Promise<ElicitationSnapshot> {
    const elicitationId = asElicitationId(id);
    const record = this.recordOf(elicitationId);
    if (record === undefined) return Promise.reject(this.refusals.notFound(id));

    const settling = this.settling.get(elicitationId);
    if (settling) return this.log.whenDurable(settling).then(() => this.recordOf(elicitationId)!);
    if (record.state !== 'pending') return Promise.resolve(record);

    return new Promise((resolve) => {
      const waiters = this.settledWaiters.get(elicitationId) ?? [];
      waiters.push((outcome) => resolve(outcome));
      this.settledWaiters.set(elicitationId, waiters);
    });
  }

  /** How many elicitations are pending now. */
  get pendingCount(): number {
    return this.supervisor.size;
  }

  /** Refuses new commands, writes every queued event, stops the actors and closes the store. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;

    this.refusalAudit?.flush();
    await this.log.flush();
    this.supervisor.stopAll();
    if (this.ownsClock) (this.clock as SystemClock).dispose();
    await this.store.close();
  }

  private requestNow(input: RequestInput): Promise<RequestResult> {
    const now = this.beginCommand('request');
    const from = checkAgentId('from', input?.from);
    this.takeRateLimitToken('requests', from, 'request', now);

    const to = checkAgentId('to', input.to);
    const message = checkMessage(input.message);
    const schemaText = serializeJson('schema', checkPlainObject('schema', input.schema), this.inputLimits.schema);
    const timeoutMs = checkTimeoutMs(input.timeoutMs);
    const metadata = input.metadata === undefined ? {} : copyJson('metadata', checkPlainObject('metadata', input.metadata), this.inputLimits.metadata);
    const schema = this.validator.intern(schemaText);
    this.checkSchemaProfile(schema);
    this.checkCapacity(from);

    // Time-ordered, so each insert lands at the end of the store's (elicitation, version) index.
    const id = asElicitationId(newTimeOrderedId());
    const commandId = newTimeOrderedId();
    const deadline = now + timeoutMs;
    const event: UnstoredEvent = {
      eventId: newTimeOrderedId(),
      type: 'elicitation.requested',
      elicitationId: id,
      version: 1,
      time: now,
      causationId: commandId,
      correlationId: commandId,
      data: { from: asAgentId(from), to: asAgentId(to), message, schema, deadline, metadata },
    };
    this.projection.apply(event);
    this.superviseRecord(this.projection.get(id)!);
    const durable = this.append(event);

    const responseToken = this.policy.tokens?.issue(id, to);
    const result: RequestResult = responseToken === undefined ? { id, deadline } : { id, deadline, responseToken };
    return durable.then(() => result);
  }

  private respond(type: CommandType, input: ResponseInput, content?: unknown): Promise<ElicitationSnapshot> {
    try {
      return this.respondNow(type, input, content);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private respondNow(type: CommandType, input: ResponseInput, content: unknown): Promise<ElicitationSnapshot> {
    const command = commandNames[type];
    const now = this.beginCommand(command);
    const agent = checkAgentId('agent', input?.agent);
    this.takeRateLimitToken('responses', agent, command, now);

    const id = asElicitationId(checkElicitationId(input.id));
    // A copy through JSON: the caller may change its object later, and only JSON reaches the log.
    const copiedContent = type === 'ACCEPT' ? copyJson('content', content, this.inputLimits.content) : undefined;
    const record = this.recordOf(id);
    if (record === undefined) throw this.refusals.notFound(id, agent, command);

    if (record.state !== 'pending') throw this.refusals.onSettled(record, type, agent, input.token);

    const commandId = newTimeOrderedId();
    const event = { type, agent, at: now, commandId, token: input.token, content: copiedContent } as ElicitationCommand;
    this.lastSettlement = undefined;
    const delivery = this.supervisor.deliver(id, event);
    const settlement = this.lastSettlement as Submission | undefined;
    this.lastSettlement = undefined;

    switch (delivery.kind) {
      case 'taken':
        if (settlement === undefined) throw new Error(`elicitation ${id} took ${command} but recorded no final event`);
        return this.durable(settlement).then(() => this.recordOf(id)!);
      case 'refused':
        throw this.refusals.byMachine(record, command, agent, delivery.refusal, copiedContent);
      case 'failed':
        throw delivery.error;
      case 'not-pending':
        throw new Error(`elicitation ${id} is pending in the log but not under supervision`);
    }
  }

  /** Turns the machine's final state into its terminal event; runs inside the delivery. */
  private recordSettlement(id: ElicitationId, settlement: Settlement): void {
    const record = this.projection.get(id)!;
    const eventId = newTimeOrderedId();
    const version = record.version + 1;
    const time = this.clock.now();
    const correlationId = record.correlationId;
    const event: TerminalEvent =
      settlement.state === 'answered'
        ? { eventId, type: 'elicitation.answered', elicitationId: id, version, time, causationId: settlement.commandId, correlationId, data: { by: asAgentId(settlement.by), content: settlement.content } }
        : settlement.state === 'rejected'
          ? { eventId, type: 'elicitation.rejected', elicitationId: id, version, time, causationId: settlement.commandId, correlationId, data: { by: asAgentId(settlement.by), reason: settlement.reason } }
          : { eventId, type: 'elicitation.expired', elicitationId: id, version, time, causationId: record.requestedEventId, correlationId, data: { deadline: record.deadline } };

    this.projection.apply(event);
    // No promise is made here: a burst of expiries has no caller waiting on any of them.
    const submission = this.log.submit(event);
    this.lastSettlement = submission;
    // `settled` waits for the final event to be durable, under `durability: 'async'` too.
    this.settling.set(id, submission);

    const waiters = this.settledWaiters.get(id);
    if (waiters !== undefined) {
      this.settledWaiters.delete(id);
      const outcome = this.log.whenDurable(submission).then(() => this.recordOf(id)!);
      // Marked as handled: a failed write is each waiter's to handle, never an unhandled rejection here.
      outcome.catch(() => undefined);
      for (const wake of waiters) wake(outcome);
    }
  }

  /** Resolves once `submission` is durable, or at once under `durability: 'async'`. */
  private durable(submission: Submission): Promise<unknown> {
    return this.durability === 'sync' ? this.log.whenDurable(submission) : Promise.resolve(submission.event);
  }

  /**
   * Undoes events the store never took, newest first: a request disappears with its actor,
   * and a settled elicitation is pending again with a new actor and its original deadline.
   */
  private rollBack(events: readonly UnstoredEvent[]): void {
    for (const event of events) {
      if (event.type === 'security.refused') continue;
      this.projection.revert(event);
      if (event.type === 'elicitation.requested') {
        this.supervisor.discard(event.elicitationId);
        this.failSettledWaiters(event.elicitationId);
        continue;
      }
      this.settling.delete(event.elicitationId);
      const record = this.projection.get(event.elicitationId);
      if (record?.state === 'pending' && !this.supervisor.has(record.id)) this.superviseRecord(record);
    }
  }

  /**
   * Rejects every `settled` call waiting on an elicitation whose request was undone. With
   * `durability: 'async'` the request was acknowledged before the store failed, so a caller
   * may already wait on it.
   */
  private failSettledWaiters(id: ElicitationId): void {
    const waiters = this.settledWaiters.get(id);
    if (waiters === undefined) return;
    this.settledWaiters.delete(id);
    const undone = Promise.reject(
      new ElicitationError('STORE_UNAVAILABLE', `the request of elicitation ${id} was undone because the event store did not take it; request again once the store is back`, { command: 'request' }),
    );
    // Marked as handled here, because each waiter's own promise carries the rejection to its caller.
    undone.catch(() => undefined);
    for (const wake of waiters) wake(undone);
  }

  /**
   * Returns the record of `id`: from memory, or read back from the store when
   * `limits.maxSettledInMemory` dropped it. Undefined when the log does not contain it.
   */
  private recordOf(id: ElicitationId): ElicitationRecord | undefined {
    const record = this.projection.get(id);
    // Only a string can name a stored elicitation, so anything else is not found, as without a limit.
    if (record !== undefined || this.retention === undefined || typeof id !== 'string') return record;
    let events;
    try {
      events = this.store.readElicitation!(id);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ElicitationError('STORE_UNAVAILABLE', `elicitation ${id} is not in memory, and reading it from the store failed (${reason}). Retry once the store is open and readable`);
    }
    const stored = foldElicitation(events);
    if (stored?.state === 'pending') {
      // Only settled elicitations leave memory. A pending one in the log alone was undone here
      // after a write whose outcome was lost, so memory and log no longer agree.
      throw new ElicitationError('STORE_UNAVAILABLE', `elicitation ${id} is pending in the store but not in this runtime's memory, because the runtime undid a write whose outcome it lost. Open the store again, which reads what the file contains`);
    }
    return stored;
  }

  /** Applies one stored event while recovering. A settled elicitation counts toward the retention limit. */
  private recoverEvent(event: DomainEvent): void {
    this.projection.apply(event);
    if (this.retention !== undefined && event.elicitationId !== null && event.type !== 'elicitation.requested') this.retention.settled(event.elicitationId);
  }

  /**
   * Checks `limits.maxSettledInMemory` and starts dropping settled elicitations past it, each
   * once its terminal event is durable, so that a rollback always finds the record it undoes.
   */
  private settledRetention(limit: number | undefined): SettledRetention | undefined {
    if (limit === undefined) return undefined;
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new ElicitationError('INVALID_REQUEST', `limits.maxSettledInMemory must be a whole number from 0 up, but got ${typeof limit === 'number' ? String(limit) : JSON.stringify(limit)}`);
    }
    if (typeof this.store.readElicitation !== 'function') {
      throw new ElicitationError('INVALID_REQUEST', 'limits.maxSettledInMemory needs a store that implements readElicitation, as both SQLite stores do, but this store does not. Use a SQLite store or leave the limit out');
    }
    const retention = new SettledRetention(limit, (id) => this.projection.forget(id));
    this.log.committed$.subscribe((event) => {
      if (event.elicitationId !== null && event.type !== 'elicitation.requested') retention.settled(event.elicitationId);
    });
    return retention;
  }

  private superviseRecord(record: ElicitationRecord): void {
    this.supervisor.register(record.id, record.deadline);
  }

  private inputOf(id: ElicitationId, now: number): ElicitationInput | undefined {
    const record = this.projection.get(id);
    if (record === undefined || record.state !== 'pending') return undefined;
    return {
      id: record.id,
      requester: record.from,
      responder: record.to,
      schema: record.schema,
      deadline: record.deadline,
      armedAt: now,
      tokenRequired: this.policy.tokens !== undefined,
    };
  }

  private append(event: UnstoredEvent): Promise<DomainEvent> {
    if (this.durability === 'sync') return this.log.append(event);

    // Acknowledged before it is durable: the caller chose to lose it if the process dies.
    this.log.submit(event);
    return Promise.resolve(event as DomainEvent);
  }

  /** Refuses commands after `stop`, then fires every deadline due by now. */
  private beginCommand(command: CommandName): number {
    if (this.stopped) throw new ElicitationError('STORE_UNAVAILABLE', `the runtime is stopped, so ${command} was not taken; create a new runtime to continue`, { command });

    // A deadline at or before now fires before the command runs, so the command sees it.
    this.clock.fireDue();
    return this.clock.now();
  }

  private takeRateLimitToken(kind: BucketKind, agent: string, command: CommandName, now: number): void {
    const taken = this.rateLimiter?.take(kind, agent, now);
    if (taken === undefined || taken.taken) return;
    throw this.refusals.rateLimited(kind, agent, command, taken.retryAfterMs, now);
  }

  private checkSchemaProfile(schema: JsonSchema): void {
    if (this.schemaProfile !== 'mcp') return;
    const issues = checkMcpSchema(schema);
    if (issues.length === 0) return;
    const listed = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
    throw new ElicitationError('INVALID_REQUEST', `the schema is outside the MCP elicitation profile (${listed}); use a flat object of string, number, integer, boolean and enum properties`, { issues });
  }

  private checkCapacity(from: string): void {
    if (this.supervisor.size >= this.maxPending) {
      throw new ElicitationError('OVERLOADED', `${this.supervisor.size} elicitations are pending, the most this runtime takes; request from "${from}" was not taken, retry once some settle`, { agent: from, command: 'request' });
    }
    if (this.log.backlog > this.maxBacklog || this.log.failingForMs > 0) {
      const lag = this.log.failingForMs > 0 ? `the event store has been failing for ${this.log.failingForMs} ms` : `${this.log.backlog} events wait for the store`;
      throw new ElicitationError('OVERLOADED', `${lag}; request from "${from}" was not taken, retry with backoff`, { agent: from, command: 'request' });
    }
  }

  private appendRefusal(refusal: RefusedData, time: number): void {
    const commandId = newTimeOrderedId();
    const elicitationId = refusal.elicitationId;
    const correlationId = elicitationId === undefined ? commandId : (this.recordOf(elicitationId)?.correlationId ?? commandId);
    const event: RefusedEvent = { eventId: newTimeOrderedId(), type: 'security.refused', elicitationId: null, version: null, time, causationId: commandId, correlationId, data: refusal };
    // The refusal does not wait for its audit event; a failed audit write is not the caller's error.
    this.log.submit(event);
  }
}

export type { AgentId, ElicitationId, ErrorCode };
