// Numbers fixed by PROTOCOL.md; configurable values default to these.
export const PROTOCOL_VERSION = 1;
export const SUBPROTOCOL = 'connector.v1';
export const CONNECTOR_PATH = '/connector/v1';
export const HELLO_ID = 'hello';
export const HELLO_TIMEOUT_MS = 10_000;
export const PING_INTERVAL_MS = 15_000;
export const DEAD_AFTER_MS = 30_000;
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
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
