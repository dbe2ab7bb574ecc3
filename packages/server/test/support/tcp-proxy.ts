import { createServer, connect, type Socket } from 'node:net';
import { freePort } from './ports.js';

export interface TcpProxy {
  /** http://127.0.0.1:<port>: the target, reached through the proxy. */
  readonly endpoint: string;
  /** Drops every connection and refuses new ones: the client's view of a dead network. */
  cut(): Promise<void>;
}

/**
 * A loopback TCP proxy to `target` (http://host:port), for tests that must cut one client off
 * an engine the whole run shares (a process dying, as the engine sees it).
 */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(Number(port), hostname);
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  const listenPort = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${listenPort}`,
    async cut() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
