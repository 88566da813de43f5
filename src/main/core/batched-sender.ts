// Sends WebSocket text frames, coalescing every frame sent before the event loop moves on (one nextTick) into
// one socket write. Under load many answers complete together; one writev instead of one syscall
// per frame was the largest single cost in the connector's profile.
import type { Socket } from 'node:net';
import WebSocket from 'ws';

export class BatchedSender {
  private corked = false;

  constructor(private readonly ws: WebSocket) {}

  send(text: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    // ws keeps the underlying socket private; without it, frames are simply sent one by one.
    const socket = (this.ws as unknown as { _socket?: Socket })._socket;
    if (socket && !this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    this.ws.send(text);
  }
}
