// Numbers fixed by PROTOCOL.md; configurable values default to these.
export const PROTOCOL_VERSION = 1;
export const SUBPROTOCOL = 'connector.v1';
export const CONNECTOR_PATH = '/connector/v1';
export const HELLO_ID = 'hello';
export const HELLO_TIMEOUT_MS = 10_000;
/** PROTOCOL §1: the connector pings every `heartbeatMs` (the platform's choice, this by default). */
export const HEARTBEAT_MS = 15_000;
/** The longest `heartbeatMs` a platform may choose. */
export const MAX_HEARTBEAT_MS = 120_000;
/** The shortest `heartbeatMs` the connector follows (a platform asking for less gets this). */
export const MIN_HEARTBEAT_MS = 1_000;
/** A peer silent for 2 × heartbeatMs + this is dead. */
export const DEAD_AFTER_SLACK_MS = 5_000;
/** How long a peer may be silent before it is considered dead, for a heartbeat interval. */
export function deadAfterMs(heartbeatMs: number): number {
  return 2 * heartbeatMs + DEAD_AFTER_SLACK_MS;
}
/** 40 MiB: a 25 MiB PDF is 33.4 MiB in base64, plus its JSON envelope. */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;
/** Before its hello has succeeded, a connector may send at most this much in one message. */
export const PRE_HELLO_MAX_MESSAGE_BYTES = 64 * 1024;
/** How many sockets may wait for their hello at once on the reference platform, by default. */
export const MAX_PENDING_HELLOS = 256;
export const MAX_PDF_BYTES = 25 * 1024 * 1024;
export const DRAIN_GRACE_MS = 30_000;
export const PLATFORM_DEADLINE_SLACK_MS = 2_000;
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 60_000;
export const BACKOFF_RESET_AFTER_MS = 60_000;
export const REJECTED_RETRY_MS = 5 * 60_000;
export const UPDATE_REQUIRED_RETRY_MS = 30 * 60_000;
export const DEFAULT_MAX_CONCURRENCY = 32;

export const DEFAULT_DEADLINES_MS = {
  'patient.lookup': 10_000,
  'consent.store': 60_000,
  'connector.info': 10_000,
} as const;
