// The connector session's states (DESIGN: core's state machine). Shared so that the status sent to
// the app and the tray derive from the same list as the engine.
export const SESSION_STATES = [
  'connecting',
  'authenticating',
  'connected',
  'backing_off',
  'rejected',
  'update_required',
  'draining',
  'stopped',
] as const;
export type SessionState = (typeof SESSION_STATES)[number];
