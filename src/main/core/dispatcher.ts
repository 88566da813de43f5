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
  rpcIdSchema,
} from '../../shared/protocol/index.js';

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

interface InFlight {
  finish: (error: RpcError) => void;
  /** The connection is gone: stop the work, send nothing, record the call as lost. */
  abandon: () => void;
}

export class Dispatcher {
  private readonly inFlight = new Map<string, InFlight>();
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: DispatcherOptions) {}

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  inFlightOn(channelId: string): number {
    let n = 0;
    for (const key of this.inFlight.keys()) if (key.startsWith(`${channelId}\u0000`)) n++;
    return n;
  }

  /** Methods a platform may call here (advertised in hello; connector.info is always on). */
  get enabledMethods(): MethodName[] {
    return ALL_METHODS.filter((m) => this.options.handlers[m] !== undefined && m !== 'connector.info');
  }

  /** Resolves when nothing is in flight on the channel (or at all), or after `timeoutMs`. */
  whenIdle(timeoutMs: number, channelId?: string): Promise<boolean> {
    const idle = () => (channelId ? this.inFlightOn(channelId) === 0 : this.inFlight.size === 0);
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
    for (const [key, call] of this.inFlight) {
      if (key.startsWith(`${channelId}\u0000`)) call.abandon();
    }
    this.notifyIdle();
  }

  handleFrame(text: string, channel: ReplyChannel): void {
    const started = performance.now();
    const bytesIn = Buffer.byteLength(text);
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.reply(channel, null, '', started, bytesIn, new RpcError('parse_error'));
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.reply(channel, null, '', started, bytesIn, new RpcError('invalid_request'));
      return;
    }
    const msg = message as Record<string, unknown>;
    const idResult = rpcIdSchema.safeParse(msg.id);
    const id = idResult.success ? idResult.data : null;
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
    if (!idResult.success) {
      this.reply(channel, null, method, started, bytesIn, new RpcError('invalid_request'));
      return;
    }
    this.handleRequest(id as RpcId, method, msg.params, channel, started, bytesIn);
  }

  private handleNotification(method: string, params: unknown, channel: ReplyChannel): void {
    if (method !== NOTIFICATIONS.cancel) return; // unknown notifications are ignored per JSON-RPC
    const parsed = cancelParamsSchema.safeParse(params);
    if (!parsed.success) return;
    const call = this.inFlight.get(key(channel.id, parsed.data.id));
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
    const k = key(channel.id, id);
    if (this.inFlight.has(k)) {
      fail(new RpcError('invalid_request', 'A request with this id is already in flight.'));
      return;
    }
    if (this.inFlight.size >= this.options.maxConcurrency) {
      fail(new RpcError('busy'));
      return;
    }

    const controller = new AbortController();
    let settled = false;
    const settle = (result: unknown, error: RpcError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      this.inFlight.delete(k);
      this.reply(channel, id, method, started, bytesIn, error, result);
      this.notifyIdle();
    };
    const finish = (error: RpcError) => {
      controller.abort(error);
      settle(undefined, error);
    };
    const abandon = () => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      this.inFlight.delete(k);
      controller.abort(new RpcError('cancelled', 'The connection was lost.'));
      this.options.onCallCompleted?.({
        channelId: channel.id,
        requestId: id,
        method,
        outcome: 'error',
        reason: 'connection_lost',
        durationMs: performance.now() - started,
        bytesIn,
        bytesOut: 0,
      });
    };
    const deadline = setTimeout(() => finish(new RpcError('source_timeout')), this.options.deadlinesMs[method]);
    this.inFlight.set(k, { finish, abandon });

    const handler = this.options.handlers[method] as (p: unknown, ctx: CallContext) => Promise<unknown>;
    Promise.resolve()
      .then(() => {
        // Cancelled or timed out before it started: the source is never called.
        if (controller.signal.aborted) throw controller.signal.reason;
        return handler(parsed.data, { signal: controller.signal, method });
      })
      .then(
        (result) => settle(result, null),
        (error: unknown) => {
          if (error instanceof RpcError) {
            settle(undefined, error);
            return;
          }
          if (controller.signal.aborted && controller.signal.reason instanceof RpcError) {
            settle(undefined, controller.signal.reason);
            return;
          }
          this.options.onInternalError?.(method, error);
          settle(undefined, new RpcError('internal_error'));
        },
      );
  }

  private reply(
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

  private notifyIdle(): void {
    for (const waiter of [...this.idleWaiters]) waiter();
  }
}

function key(channelId: string, id: RpcId): string {
  return `${channelId}\u0000${typeof id}:${String(id)}`;
}

function isMethodName(method: string): method is MethodName {
  return (ALL_METHODS as readonly string[]).includes(method);
}

function isNotFound(method: string, result: unknown): boolean {
  return method === 'patient.lookup' && (result as { patient?: unknown } | undefined)?.patient === null;
}
