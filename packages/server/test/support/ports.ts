import { createServer } from 'node:net';

/**
 * Ports this process handed out already: a port is free until its engine binds it, so two
 * engines started at once (a cluster's nodes) could otherwise draw the same one.
 */
const handedOut = new Set<number>();

/**
 * A free TCP port on 127.0.0.1 below 32768 (the range above is for outgoing connections, where
 * another process may take a port between our check and the engine's bind), never the same
 * twice in one process.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 15_000 + Math.floor(Math.random() * 17_000);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canBind(port)) return port;
  }
  throw new Error('No free loopback port found below 32768 after 50 tries');
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
