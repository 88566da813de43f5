// The tray app's side of the service's control channel: the same contract as the AppController
// (handlers per IPC channel, status() and 'status' events, reconnect / pause / start at sign-in),
// so the renderer and the app shell cannot tell whether the connector runs in this process or in
// the service. Reads the endpoint and its key from the data folder on every (re)connect, since the
// service writes new ones each time it starts, and shows the link's loss as "reconnecting".
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { z } from 'zod';
import {
  CHANNEL_NAMES,
  type ChannelName,
  type ChannelOutputs,
  type IpcHandlers,
  STATUS_EVENT,
} from '../../shared/ipc/channels.js';
import { IpcUserError } from '../../shared/ipc/dispatch.js';
import { type AppStatus, appStatusSchema, type Warning } from '../../shared/ipc/status.js';
import type { LoginItem } from '../controller/app-controller.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { CONNECTOR_VERSION } from '../version.js';
import { type Role, readEndpoint, readKey } from './control-keys.js';
import { serviceFiles } from './data-folder.js';

export type LinkState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface AttachOptions {
  /** The service's data folder (where control.json and the keys are). */
  dataDir: string;
  /** viewer: status, recent calls, diagnostics. admin: also set-up, pause, reconnect. */
  role: Role;
  /** The tray app's own start-at-sign-in entry (per user; the service has nothing to do with it). */
  loginItem?: LoginItem;
  /**
   * Electron: the file dialog for "Browse…". It opens on this desktop, never in the service (which
   * has none); the service then uses the path, so it must be one the service account can reach.
   */
  pickPath?: (kind: 'folder' | 'certificate') => Promise<string | null>;
  /** Electron: clipboard.writeText. "Copy diagnostics" copies on this computer's desktop, not the service's. */
  writeClipboard?: (text: string) => void;
  logger?: Logger;
  /** How long attach() waits for the first status before showing "reconnecting" (default 5 s). */
  firstStatusMs?: number;
  /** How often the link is checked with a ping (default 15 s). */
  heartbeatMs?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
}

export const SERVICE_NOT_ANSWERING =
  'The Cloud Connector service is not answering. It may be restarting: try again in a moment.';

const SERVICE_WARNING: Warning = {
  code: 'service_unreachable',
  environment: null,
  message: 'The Cloud Connector service is not answering; trying again.',
  fix: 'If this lasts more than a minute, restart the computer or ask your IT team to start the "Cloud Connector" service.',
};

const replySchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string().max(2000) }) }),
]);
const eventSchema = z.object({ event: z.literal(STATUS_EVENT), status: appStatusSchema });

export class AttachedController extends EventEmitter<{ status: [AppStatus]; link: [LinkState] }> {
  readonly handlers: IpcHandlers;
  private readonly logger: Logger;
  private readonly files;
  private ws: WebSocket | null = null;
  private last: AppStatus | null = null;
  private state: LinkState = 'connecting';
  private linkSince = new Date().toISOString();
  private attempt = 0;
  private nextAttemptAt: string | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(private readonly options: AttachOptions) {
    super();
    this.logger = options.logger ?? silentLogger;
    this.files = serviceFiles(options.dataDir);
    this.handlers = Object.fromEntries(
      CHANNEL_NAMES.map((channel) => [channel, (input: unknown) => this.call(channel, input)]),
    ) as unknown as IpcHandlers;
    const save = this.handlers['setup.save'];
    const diagnostics = this.handlers['diagnostics.copy'];
    const getSetup = this.handlers['setup.get'];
    this.handlers['setup.get'] = async (input) => ({
      ...(await getSetup(input)),
      canPickPaths: this.options.pickPath !== undefined,
    });
    this.handlers['app.pickPath'] = async (input) => ({ path: (await this.options.pickPath?.(input.kind)) ?? null });
    this.handlers['diagnostics.copy'] = async (input) => {
      const result = await diagnostics(input);
      this.options.writeClipboard?.(result.text);
      return result;
    };
    // Start at sign-in belongs to the tray app of whoever is signed in, not to the service.
    this.handlers['setup.save'] = async (input) => {
      const result = await save(input);
      if (result.ok) this.options.loginItem?.set(input.startAtLogin);
      return result;
    };
  }

  /** Attaches and waits for the service's first status (or the time limit: then "reconnecting"). */
  static async attach(options: AttachOptions): Promise<AttachedController> {
    const controller = new AttachedController(options);
    const first = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.firstStatusMs ?? 5_000);
      controller.once('status', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    controller.connect();
    await first;
    return controller;
  }

  get role(): Role {
    return this.options.role;
  }

  get link(): LinkState {
    return this.state;
  }

  status(): AppStatus {
    const startAtLogin = this.options.loginItem?.get() ?? this.last?.startAtLogin ?? true;
    if (this.state === 'connected' && this.last) return { ...this.last, startAtLogin };
    return { ...this.offlineStatus(), startAtLogin };
  }

  /**
   * While the link is down nothing is known about the connectors: each environment that was
   * running shows as reconnecting (amber), with the reason, rather than its last, stale state.
   */
  private offlineStatus(): AppStatus {
    const base = this.last ?? {
      version: CONNECTOR_VERSION,
      environments: (['production', 'demo'] as const).map((environment) => ({
        environment,
        configured: environment === 'production',
        paused: false,
        state: 'not_set_up' as const,
        since: this.linkSince,
        latencyMs: null,
        platformUrl: null,
        tenant: null,
        lastError: null,
        lastCloseCode: null,
        nextAttemptAt: null,
        attempt: 0,
        sources: {},
      })),
      warnings: [],
      startAtLogin: true,
    };
    return {
      ...base,
      environments: base.environments.map((e) =>
        e.configured && !e.paused
          ? {
              ...e,
              state: 'connecting',
              since: this.linkSince,
              latencyMs: null,
              lastError: SERVICE_WARNING.message,
              nextAttemptAt: this.nextAttemptAt,
              attempt: this.attempt + 1,
            }
          : e,
      ),
      warnings: [SERVICE_WARNING, ...base.warnings.filter((w) => w.code !== SERVICE_WARNING.code)],
    };
  }

  private setLink(state: LinkState): void {
    if (state === this.state) return;
    this.state = state;
    this.linkSince = new Date().toISOString();
    this.emit('link', state);
  }

  private connect(): void {
    if (this.closed) return;
    this.retryTimer = null;
    this.nextAttemptAt = null;
    const endpoint = readEndpoint(this.files);
    const key = readKey(this.files, this.options.role);
    if (!endpoint || !key) {
      this.scheduleRetry();
      return;
    }
    const ws = new WebSocket(`ws://127.0.0.1:${endpoint.port}/v1/events`, {
      headers: { authorization: `Bearer ${key}` },
      handshakeTimeout: 5_000,
      maxPayload: 4 * 1024 * 1024,
    });
    this.ws = ws;
    // A service that hangs without closing its socket (stopped in a debugger, a frozen machine)
    // would otherwise look connected for ever: no pong within one interval ends the link.
    let answered = true;
    const heartbeat = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (!answered) {
        ws.terminate();
        return;
      }
      answered = false;
      ws.ping();
    }, this.options.heartbeatMs ?? 15_000);
    heartbeat.unref();
    ws.on('pong', () => {
      answered = true;
    });
    ws.on('message', (data) => {
      const parsed = eventSchema.safeParse(safeJson(String(data)));
      if (!parsed.success) return;
      this.last = parsed.data.status;
      this.attempt = 0;
      this.setLink('connected');
      this.emit('status', this.status());
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clearInterval(heartbeat);
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.closed) return;
      this.scheduleRetry();
    });
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const wasConnected = this.state === 'connected';
    if (!wasConnected) this.attempt++;
    const min = this.options.retryMinMs ?? 250;
    const max = this.options.retryMaxMs ?? 5_000;
    const delay = wasConnected ? min : Math.min(max, min * 2 ** Math.min(this.attempt, 10));
    this.nextAttemptAt = new Date(Date.now() + delay).toISOString();
    if (this.state !== 'connecting') this.setLink('reconnecting');
    if (wasConnected) this.logger.warn('lost the link to the Cloud Connector service; reconnecting');
    this.emit('status', this.status());
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.retryTimer.unref();
  }

  private async call<C extends ChannelName>(channel: C, input: unknown): Promise<ChannelOutputs[C]> {
    // Read afresh each time: after a restart of the service the port and the keys are new.
    const endpoint = readEndpoint(this.files);
    const key = readKey(this.files, this.options.role);
    if (!endpoint || !key) throw new IpcUserError(SERVICE_NOT_ANSWERING);
    let res: Response;
    try {
      res = await fetch(`http://127.0.0.1:${endpoint.port}/v1/ipc/${encodeURIComponent(channel)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(input ?? {}),
        // The wizard's tests wait on the platform and the patient system: generous, but bounded.
        signal: AbortSignal.timeout(120_000),
      });
    } catch {
      throw new IpcUserError(SERVICE_NOT_ANSWERING);
    }
    if (!res.ok) throw new IpcUserError(SERVICE_NOT_ANSWERING);
    const reply = replySchema.safeParse(await res.json().catch(() => null));
    if (!reply.success) throw new IpcUserError(SERVICE_NOT_ANSWERING);
    if (!reply.data.ok) throw new IpcUserError(reply.data.error.message);
    return reply.data.value as ChannelOutputs[C];
  }

  reconnect(environment?: 'demo' | 'production'): void {
    void this.handlers['connector.reconnect']({ environment }).catch(() => undefined);
  }

  async setPaused(environment: 'demo' | 'production' | undefined, paused: boolean): Promise<void> {
    await this.handlers['connector.setPaused']({ environment, paused });
  }

  setStartAtLogin(enabled: boolean): void {
    this.options.loginItem?.set(enabled);
    this.emit('status', this.status());
  }

  /** Detaches; the service and its connectors go on running. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.terminate();
    this.setLink('closed');
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
