// The preload script: exposes exactly the IPC channel map (one function per channel) and the
// status event to the sandboxed renderer. Inputs are still parsed in main; this only forwards.
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNEL_NAMES, STATUS_EVENT } from '../shared/ipc/channel-names.js';
import type { IpcReply } from '../shared/ipc/channels.js';

const api: Record<string, unknown> = {};
for (const channel of CHANNEL_NAMES) {
  api[channel] = async (input: unknown) => {
    const reply = (await ipcRenderer.invoke(channel, input)) as IpcReply<unknown>;
    if (!reply.ok) throw new Error(reply.error.message);
    return reply.value;
  };
}
api.onStatus = (listener: (status: unknown) => void) => {
  const wrapped = (_event: unknown, status: unknown) => listener(status);
  ipcRenderer.on(STATUS_EVENT, wrapped);
  return () => ipcRenderer.off(STATUS_EVENT, wrapped);
};

contextBridge.exposeInMainWorld('connectorApi', api);
