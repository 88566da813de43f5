// JSON-RPC dispatcher (PROTOCOL.md §3): multiplexed requests up to maxConcurrency, `busy` beyond,
// per-method deadlines and `$/cancelRequest`, both reaching the handler through one AbortSignal.
// Every request gets exactly one response, in completion order.
import {
  ALL_METHODS,
  cancelParamsSchema,
  describeSchemaError,
  METHOD_PARAMS,
  type MethodName,
  type MethodTypes,
  NOTIFICATIONS,
  RpcError,
  type RpcId,
} from '../../shared/protocol/index.js';
import { type DeadlineEntry, DeadlineList, rethrowLater } from './deadlines.js';

export interface CallContext {
  signal: AbortSignal;
  method: MethodName;
}

export type HandlerMap = {
  [M in MethodName]?: (params: MethodTypes[M]['params'], ctx: CallContext) => Promise<MethodTypes[M]['result']>;
};

/** Where responses go: one per WebSocket connection. */
export interface ReplyChannel {
  readonly id: string;
  send(text: string): void;
}

export type CallOutcome = 'ok' | 'not_found' | 'error';

/** Emitted after the response has been handed to the socket. Metadata only, never params or results. */
export interface CallCompleted {
  channelId: string;
  requestId: RpcId | null;
  method: string;
  outcome: CallOutcome;
  reason: string | null;
  durationMs: number;
  bytesIn: number;
  bytesOut: number;
}

export interface DispatcherOptions {
  handlers: HandlerMap;
  maxConcurrency: number;
  deadlinesMs: Record<MethodName, number>;
  isDraining: () => boolean;
  onCallCompleted?: (call: CallCompleted) => void;
  onInternalError?: (method: string, error: unknown) => void;
}

/**
 * What a handler and its data source see of a call: its method and its signal. The call itself
 * links to its neighbours on the deadline list and can answer itself, so it is never handed out:
 * a source that logged or inspected its options would otherwise reach other patients' params.
 * An ES private field stays out of util.inspect and JSON.stringify.
 */
class CallView implements CallContext {
  readonly #call: Call;
  constructor(call: Call) {
    this.#call = call;
  }
  get method(): MethodName {
    return this.#call.method;
  }
  /** Read lazily: the AbortController is created only if the source asks (see Call.signal). */
  get signal(): AbortSignal {
    return this.#call.signal;
  }
  toJSON(): { method: MethodName } {
    return { method: this.#call.method };
  }
}

/** One request in flight, and its own deadline-list entry. */
class Call implements DeadlineEntry {
  deadlineAt = 0;
  deadlinePrev: DeadlineEntry | null = null;
  deadlineNext: DeadlineEntry | null = null;
  deadlineList: DeadlineList | null = null;
  settled = false;
  /** Why the call was stopped (deadline, cancel, lost connection); the signal's reason. */
  private abortReason: RpcError | null = null;
  /**
   * Created on first use: most sources never look at the signal (the demo source at 0 ms, a
   * cached answer), and an AbortController with its AbortSignal (an EventTarget) was a visible
   * share of the per-call cost. A signal first asked for after the abort is created aborted, with
   * the same reason, so what a source sees is the same either way.
   */
  private controller: AbortController | null = null;

  constructor(
    private readonly dispatcher: Dispatcher,
    readonly channel: ReplyChannel,
    readonly calls: Map<RpcId, Call>,
    readonly id: RpcId,
    readonly method: MethodName,
    private params: unknown,
    readonly started: number,
    readonly bytesIn: number,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.abortReason !== null;
  }

  /** Tells the source to stop; the first reason wins, as with AbortController.abort. */
  abort(reason: RpcError): void {
    if (this.abortReason) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  /** Deadline reached. */
  expire(): void {
    this.finish(new RpcError('source_timeout'));
  }

  /** Deadline or cancel: stop the source and answer with the error now. */
  finish(error: RpcError): void {
    this.abort(error);
    this.settle(undefined, error);
  }

  settle(result: unknown, error: RpcError | null): void {
    if (this.settled) return;
    this.settled = true;
    this.dispatcher.release(this);
    this.dispatcher.reply(this.channel, this.id, this.method, this.started, this.bytesIn, error, result);
    this.dispatcher.notifyIdle();
  }

  /** The connection is gone: stop the work, send nothing, record the call as lost. */
  abandon(): void {
    if (this.settled) return;
    this.settled = true;
    this.dispatcher.release(this);
    this.abort(new RpcError('cancelled', 'The connection was lost.'));
    this.dispatcher.lost(this);
  }

  /** Runs the handler (in a microtask, so that a cancel in the same read can stop it first). */
  run(handler: (p: unknown, ctx: CallContext) => Promise<unknown>): void {
    // Cancelled or timed out before it started: the source is never called.
    if (this.abortReason) return;
    let pending: Promise<unknown>;
    try {
      // Promise.resolve returns a native promise as it is; it only wraps a plain value.
      // The handler owns the params from here: the call drops them, so that a document's 33 MiB
      // of base64 can be freed as soon as the handler has decoded it, not when the call ends.
      const params = this.params;
      this.params = undefined;
      pending = Promise.resolve(handler(params, new CallView(this)));
    } catch (error) {
      this.fail(error);
      return;
    }
    pending.then(this.onResult, this.onError);
  }

  private readonly onResult = (result: unknown): void => this.settle(result, null);
  private readonly onError = (error: unknown): void => this.fail(error);

  private fail(error: unknown): void {
    if (error instanceof RpcError) {
      this.settle(undefined, error);
      return;
    }
    if (this.abortReason) {
      this.settle(undefined, this.abortReason);
      return;
    }
    this.dispatcher.internalError(this.method, error);
    this.settle(undefined, new RpcError('internal_error'));
  }
}

export class Dispatcher {
  /** Calls in flight, per channel, by request id (a Map tells 1 and "1" apart). */
  private readonly channels = new Map<string, Map<RpcId, Call>>();
  private count = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly deadlines = new Map<number, DeadlineList>();
  /** Calls accepted since the last microtask, waiting for their handler to start. */
  private toStart: Call[] = [];

  constructor(private readonly options: DispatcherOptions) {}

  get inFlightCount(): number {
    return this.count;
  }

  inFlightOn(channelId: string): number {
    return this.channels.get(channelId)?.size ?? 0;
  }

  /** Methods a platform may call here (advertised in hello; connector.info is always on). */
  get enabledMethods(): MethodName[] {
    return ALL_METHODS.filter((m) => this.options.handlers[m] !== undefined && m !== 'connector.info');
  }

  /** Resolves when nothing is in flight on the channel (or at all), or after `timeoutMs`. */
  whenIdle(timeoutMs: number, channelId?: string): Promise<boolean> {
    const idle = () => (channelId ? this.inFlightOn(channelId) === 0 : this.count === 0);
    if (idle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== check);
        resolve(false);
      }, timeoutMs);
      const check = () => {
        if (!idle()) return;
        clearTimeout(timer);
        this.idleWaiters = this.idleWaiters.filter((w) => w !== check);
        resolve(true);
      };
      this.idleWaiters.push(check);
    });
  }

  /** Aborts every call still running on a channel whose socket is gone; nobody can receive the answer. */
  abandonChannel(channelId: string): void {
    const calls = this.channels.get(channelId);
    if (calls) for (const call of [...calls.values()]) call.abandon();
    this.channels.delete(channelId);
    this.notifyIdle();
  }

  /**
   * One text frame from the platform. `bytesIn` is its size in UTF-8 when the caller already
   * knows it (the socket's buffer length); otherwise it is counted here.
   */
  handleFrame(text: string, channel: ReplyChannel, bytesIn: number = Buffer.byteLength(text)): void {
    const started = performance.now();
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.reply(channel, null, '', started, bytesIn, new RpcError('parse_error'));
      return;
    }
    this.handleMessage(message, channel, bytesIn, started);
  }

  /** A frame already parsed (a large one, large-frame.ts); `started` is when it arrived. */
  handleMessage(message: unknown, channel: ReplyChannel, bytesIn: number, started = performance.now()): void {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.reply(channel, null, '', started, bytesIn, new RpcError('invalid_request'));
      return;
    }
    const msg = message as Record<string, unknown>;
    const validId = isRpcId(msg.id);
    const id = validId ? (msg.id as RpcId) : null;
    if (msg.jsonrpc !== '2.0') {
      this.reply(channel, id, '', started, bytesIn, new RpcError('invalid_request'));
      return;
    }
    // Responses from the platform: the connector sends no requests after hello, so ignore them.
    if (!('method' in msg) && ('result' in msg || 'error' in msg)) return;
    if (typeof msg.method !== 'string' || msg.method.length === 0) {
      this.reply(channel, id, '', started, bytesIn, new RpcError('invalid_request'));
      return;
    }
    const method = msg.method;
    if (!('id' in msg)) {
      this.handleNotification(method, msg.params, channel);
      return;
    }
    if (!validId) {
      this.reply(channel, null, method, started, bytesIn, new RpcError('invalid_request'));
      return;
    }
    this.handleRequest(id as RpcId, method, msg.params, channel, started, bytesIn);
  }

  private handleNotification(method: string, params: unknown, channel: ReplyChannel): void {
    if (method !== NOTIFICATIONS.cancel) return; // unknown notifications are ignored per JSON-RPC
    const parsed = cancelParamsSchema.safeParse(params);
    if (!parsed.success) return;
    const call = this.channels.get(channel.id)?.get(parsed.data.id);
    call?.finish(new RpcError('cancelled'));
  }

  private handleRequest(
    id: RpcId,
    method: string,
    rawParams: unknown,
    channel: ReplyChannel,
    started: number,
    bytesIn: number,
  ): void {
    const fail = (error: RpcError) => this.reply(channel, id, method, started, bytesIn, error);
    if (!isMethodName(method) || !this.options.handlers[method]) {
      fail(new RpcError('method_not_found'));
      return;
    }
    const parsed = METHOD_PARAMS[method].safeParse(rawParams ?? {});
    if (!parsed.success) {
      fail(new RpcError('invalid_params', `Invalid params: ${describeSchemaError(parsed.error)}.`));
      return;
    }
    if (this.options.isDraining()) {
      fail(new RpcError('draining'));
      return;
    }
    let calls = this.channels.get(channel.id);
    if (calls?.has(id)) {
      fail(new RpcError('invalid_request', 'A request with this id is already in flight.'));
      return;
    }
    if (this.count >= this.options.maxConcurrency) {
      fail(new RpcError('busy'));
      return;
    }
    if (!calls) {
      calls = new Map();
      this.channels.set(channel.id, calls);
    }
    const call = new Call(this, channel, calls, id, method, parsed.data, started, bytesIn);
    calls.set(id, call);
    this.count++;
    // The deadline counts from the frame's arrival, as the setTimeout it replaces did (to within microseconds).
    this.deadlineList(this.options.deadlinesMs[method]).add(call, started);
    // Handlers start in a microtask, so that a `$/cancelRequest` in the same read stops a call
    // before its source is asked. One microtask for all the calls of a read: Node's queueMicrotask
    // costs an async resource per call.
    this.toStart.push(call);
    if (this.toStart.length === 1) queueMicrotask(this.startCalls);
  }

  private readonly startCalls = (): void => {
    const calls = this.toStart;
    this.toStart = [];
    for (const call of calls) {
      // A throw while answering one call (a listener further down) must not leave the rest unstarted.
      try {
        call.run(this.options.handlers[call.method] as (p: unknown, ctx: CallContext) => Promise<unknown>);
      } catch (error) {
        this.unexpected(call.method, error);
      }
    }
  };

  /** @internal Takes a settled or abandoned call out of the books (and its deadline off the list). */
  release(call: Call): void {
    call.deadlineList?.remove(call);
    // The channel's map stays until abandonChannel: a connection at one call in flight would
    // otherwise create and drop a Map per call.
    if (call.calls.delete(call.id)) this.count--;
  }

  /** @internal */
  lost(call: Call): void {
    this.options.onCallCompleted?.({
      channelId: call.channel.id,
      requestId: call.id,
      method: call.method,
      outcome: 'error',
      reason: 'connection_lost',
      durationMs: performance.now() - call.started,
      bytesIn: call.bytesIn,
      bytesOut: 0,
    });
  }

  /** @internal */
  internalError(method: string, error: unknown): void {
    this.options.onInternalError?.(method, error);
  }

  /** An error outside any handler (a completion listener threw): reported, never swallowed. */
  private unexpected(method: string, error: unknown): void {
    if (this.options.onInternalError) this.options.onInternalError(method, error);
    else rethrowLater(error);
  }

  private deadlineList(ms: number): DeadlineList {
    let list = this.deadlines.get(ms);
    if (!list) {
      list = new DeadlineList(ms, (error, entry) => this.unexpected((entry as Call).method, error));
      this.deadlines.set(ms, list);
    }
    return list;
  }

  /** @internal */
  reply(
    channel: ReplyChannel,
    id: RpcId | null,
    method: string,
    started: number,
    bytesIn: number,
    error: RpcError | null,
    result?: unknown,
  ): void {
    const text = JSON.stringify(
      error ? { jsonrpc: '2.0', id, error: error.toErrorObject() } : { jsonrpc: '2.0', id, result },
    );
    channel.send(text);
    this.options.onCallCompleted?.({
      channelId: channel.id,
      requestId: id,
      method,
      outcome: error ? 'error' : isNotFound(method, result) ? 'not_found' : 'ok',
      reason: error ? error.reason : null,
      durationMs: performance.now() - started,
      bytesIn,
      bytesOut: Buffer.byteLength(text),
    });
  }

  /** @internal */
  notifyIdle(): void {
    if (this.idleWaiters.length === 0) return;
    for (const waiter of [...this.idleWaiters]) waiter();
  }
}

/** The same test as the protocol's `rpcIdSchema` (a string, or a finite number), without a schema parse per frame. */
function isRpcId(value: unknown): value is RpcId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function isMethodName(method: string): method is MethodName {
  return (ALL_METHODS as readonly string[]).includes(method);
}

function isNotFound(method: string, result: unknown): boolean {
  return method === 'patient.lookup' && (result as { patient?: unknown } | undefined)?.patient === null;
}
