// A bare WebSocket server in its own process: answers every message with a fixed reply of the
// given size, with no parsing at all. The physical limit of `ws` on this machine.
// Usage: node --import tsx bench/lib/echo-server.ts <replyBytes>
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

const replyBytes = Number(process.argv[2] ?? '400');
const reply = 'x'.repeat(replyBytes);
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', () => ws.send(reply));
});
wss.on('listening', () => {
  process.stdout.write(`echo listening port=${(wss.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
