import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UpgradeRouter } from './upgrade-router.js';

function upgrade(server: Server, path: string): Promise<{ status: number; body: string }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket' },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: '' });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('UpgradeRouter', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  async function listen(router: UpgradeRouter): Promise<Server> {
    server = createServer();
    router.attach(server);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return server;
  }

  it('hands each path to its handler and answers 404 elsewhere', async () => {
    const seen: string[] = [];
    const router = new UpgradeRouter()
      .route('/a', (_req, socket, _head, url) => {
        seen.push(`a${url.search}`);
        socket.end(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
        );
      })
      .route('/b', (_req, socket) => {
        seen.push('b');
        socket.end(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
        );
      });
    const s = await listen(router);
    expect((await upgrade(s, '/a?x=1')).status).toBe(101);
    expect((await upgrade(s, '/b')).status).toBe(101);
    const missing = await upgrade(s, '/c');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error.code).toBe('NOT_FOUND');
    expect(seen).toEqual(['a?x=1', 'b']);
  });

  it('refuses a path routed twice', () => {
    const router = new UpgradeRouter().route('/a', () => {});
    expect(() => router.route('/a', () => {})).toThrow(/routed twice/);
  });

  it('answers 503 on a connection kept for health checks', async () => {
    const s = await listen(new UpgradeRouter({ isHealthOnly: () => true }).route('/a', () => {}));
    const refused = await upgrade(s, '/a');
    expect(refused.status).toBe(503);
  });
});
