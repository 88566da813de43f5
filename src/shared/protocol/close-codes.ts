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

export function describeClose(code: number): string {
  switch (code) {
    case CLOSE.normal:
      return 'normal close';
    case CLOSE.goingAway:
      return 'going away';
    case CLOSE.protocolError:
      return 'protocol error';
    case CLOSE.unsupportedData:
      return 'binary frame refused';
    case CLOSE.abnormal:
      return 'connection lost';
    case CLOSE.tooLarge:
      return 'message too large';
    case CLOSE.internalError:
      return 'internal error';
    case CLOSE.badHello:
      return 'malformed or missing hello';
    case CLOSE.tokenRejected:
      return 'token unknown, revoked or expired';
    case CLOSE.wrongEnvironment:
      return 'token is for the other environment';
    case CLOSE.helloTimeout:
      return 'no hello in time';
    case CLOSE.protocolUnsupported:
      return 'protocol version unsupported';
    default:
      return `close code ${code}`;
  }
}
