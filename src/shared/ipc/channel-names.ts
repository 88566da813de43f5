// The channel names alone, with no zod: the preload and the bridge client need only these, and a
// sandboxed preload should stay small. channels.ts checks its schema map covers exactly this list.
export const CHANNEL_NAMES = [
  'status.get',
  'setup.get',
  'setup.save',
  'setup.testPlatform',
  'setup.testLookup',
  'setup.testStore',
  'setup.sqlColumns',
  'app.pickPath',
  'status.day',
  'calls.recent',
  'app.openLogs',
  'connector.reconnect',
  'connector.setPaused',
  'diagnostics.copy',
] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** Pushed by the host whenever the status changes (Electron: webContents.send; bridge: WebSocket). */
export const STATUS_EVENT = 'status.changed';
