// Stands in for the preload script when the renderer runs in a plain browser (npm run preview and
// the UI tests): the same `window.connectorApi`, carried over HTTP and a WebSocket to the bridge.
import { CHANNEL_NAMES, STATUS_EVENT } from '../../shared/ipc/channel-names.js';
import type { ConnectorApi, IpcReply } from '../../shared/ipc/channels.js';
import type { AppStatus } from '../../shared/ipc/status.js';

const listeners = new Set<(status: AppStatus) => void>();

async function call(channel: string, input: unknown): Promise<unknown> {
  const res = await fetch(`/ipc/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input ?? {}),
  });
  if (!res.ok) throw new Error('Cloud Connector is not answering. Is the preview still running?');
  const reply = (await res.json()) as IpcReply<unknown>;
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value;
}

function connectEvents(delayMs = 500): void {
  const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/events`);
  ws.onmessage = (message) => {
    const data = JSON.parse(String(message.data)) as { event: string; status: AppStatus };
    if (data.event === STATUS_EVENT) for (const listener of listeners) listener(data.status);
  };
  ws.onclose = () => setTimeout(() => connectEvents(Math.min(delayMs * 2, 5_000)), delayMs);
}

const api = Object.fromEntries(
  CHANNEL_NAMES.map((channel) => [channel, (input: unknown) => call(channel, input)]),
) as unknown as ConnectorApi;
api.onStatus = (listener) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

Object.defineProperty(window, 'connectorApi', { value: Object.freeze(api), writable: false });
connectEvents();
