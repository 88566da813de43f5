// PROTOCOL §1: before the hello has succeeded the platform accepts at most 64 KiB in one message;
// after it, the configured limit (40 MiB by default). `ws` fixes one maxPayload per server and
// checks it against each frame's declared length before buffering the payload, so the server is
// created with the small limit and a socket's limit is raised once its hello has succeeded.
// `ws` has no public setter for this; its receiver's `_maxPayload` is what it checks (ws 8). The
// hub's tests send a message above 64 KiB after the hello, so an upgrade of `ws` that renames
// the field fails there instead of silently refusing every large consent document.
import type { WebSocket } from 'ws';

interface ReceiverWithLimit {
  _maxPayload: number;
}

export function raiseMessageLimit(ws: WebSocket, maxBytes: number): void {
  const receiver = (ws as unknown as { _receiver?: ReceiverWithLimit })._receiver;
  if (!receiver || typeof receiver._maxPayload !== 'number') {
    throw new Error('ws no longer exposes its receiver limit: the post-hello message limit cannot be applied');
  }
  receiver._maxPayload = maxBytes;
}
