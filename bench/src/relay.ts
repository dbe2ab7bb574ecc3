/**
 * The floor: a bare `ws` server that forwards each frame untouched, with no parsing, no
 * authentication and no storage. `?id=a&peer=b` sends a's frames to b; `peer=all` to every
 * other connection (the group floor); `peer=none` sends nothing.
 */
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.argv[2] ?? 0);
const sockets = new Map<string, WebSocket>();
const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });

server.on('connection', (ws, req) => {
  const url = new URL(req.url ?? '/', 'http://relay');
  const id = url.searchParams.get('id') ?? '';
  const peer = url.searchParams.get('peer') ?? 'none';
  sockets.set(id, ws);
  ws.on('close', () => sockets.delete(id));
  ws.on('message', (data, isBinary) => {
    if (peer === 'all') {
      for (const [other, socket] of sockets)
        if (other !== id) socket.send(data, { binary: isBinary });
    } else if (peer !== 'none') {
      sockets.get(peer)?.send(data, { binary: isBinary });
    }
  });
});
server.on('listening', () => {
  const address = server.address();
  process.stdout.write(`RELAY ${typeof address === 'object' && address ? address.port : port}\n`);
});
