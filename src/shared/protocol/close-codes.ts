// WebSocket close codes of PROTOCOL.md §6 and what the connector does next.
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  abnormal: 1006,
  tooLarge: 1009,
  internalError: 1011,
  badHello: 4400,
  tokenRejected: 4401,
  wrongEnvironment: 4403,
  helloTimeout: 4408,
  protocolUnsupported: 4426,
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

export type CloseReaction = 'backoff' | 'rejected' | 'update_required';

/** What the connector does after the socket closed with `code`. */
export function reactionToClose(code: number): CloseReaction {
  if (code === CLOSE.tokenRejected || code === CLOSE.wrongEnvironment) return 'rejected';
  if (code === CLOSE.protocolUnsupported) return 'update_required';
  return 'backoff';
}

/** Why a connection closed, in plain words for the status view and logs. */
export function describeClose(code: number): string {
  switch (code) {
    case CLOSE.tokenRejected:
      return 'the platform rejected the token (unknown, revoked or expired)';
    case CLOSE.wrongEnvironment:
      return 'the token belongs to the other environment';
    case CLOSE.protocolUnsupported:
      return 'the platform needs a newer connector';
    case CLOSE.badHello:
      return 'the platform refused the hello as malformed';
    case CLOSE.helloTimeout:
      return 'the platform did not receive the hello in time';
    case CLOSE.tooLarge:
      return 'a message was too large';
    case CLOSE.unsupportedData:
      return 'a binary frame was refused';
    case CLOSE.protocolError:
      return 'protocol error';
    case CLOSE.internalError:
      return 'the platform reported an internal error';
    case CLOSE.goingAway:
    case CLOSE.normal:
      return 'the platform closed the connection';
    default:
      return 'the connection was lost';
  }
}
