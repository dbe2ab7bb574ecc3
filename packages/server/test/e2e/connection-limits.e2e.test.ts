import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { e2eServersPerTest } from '../support/e2e-fixture.js';
import { eventually, upgradeRefusal } from '../support/ws-test-client.js';

/**
 * Linux routes all of 127.0.0.0/8 to the loopback interface: binding the client end of a
 * socket to 127.0.0.2, 127.0.0.3, … makes it a different client address for the server.
 */
const ADDRESS_A = '127.0.0.2';
const ADDRESS_B = '127.0.0.3';

const sockets: Socket[] = [];

/** An idle TCP connection from `localAddress`: it connects and sends nothing. */
function idleSocket(url: string, localAddress: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress }, () =>
      resolve(socket),
    );
    socket.on('error', reject);
    socket.resume(); // reads (and drops) what the server says, so that its close is seen
    sockets.push(socket);
  });
}

/**
 * Whether the server closes the socket (with nothing, or with what it wrote) within the wait.
 * The wait only bounds a failure; a socket the server keeps is reported open, not hung on.
 */
function closedByServer(socket: Socket, waitMs = 10_000): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve('closed');
    const timer = setTimeout(() => resolve('open'), waitMs);
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

/** A GET on a new connection from `localAddress`: status and body, or the socket error. */
function getFrom(url: string, path: string, localAddress: string) {
  return new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
    const req = get(`${url}${path}`, { localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

describe('connection limits', () => {
  const { start } = e2eServersPerTest();
  const server = (overrides: Record<string, unknown>) => start('sqlite', overrides);
  // Registered last, so it runs first: the sockets go before the servers stop.
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });

  it('cuts the connection one address opens past its cap, while other addresses get in', async () => {
    const s = await server({ max_connections_per_address: 3 });
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await idleSocket(s.url, ADDRESS_A));
    const extra = await idleSocket(s.url, ADDRESS_A);
    expect(await closedByServer(extra)).toBe('closed');
    expect(await getFrom(s.url, '/health', ADDRESS_B)).toMatchObject({ status: 200 });
    // The held ones are still open, and closing one makes room again.
    for (const socket of held) expect(socket.destroyed).toBe(false);
    held[0]?.destroy();
    await eventually(async () => {
      const res = await getFrom(s.url, '/health', ADDRESS_A);
      return 'status' in res && res.status === 200;
    });
  });

  it('closes a connection that sends nothing after the headers timeout', async () => {
    const s = await server({ http_headers_timeout: 1 });
    const silent = await idleSocket(s.url, ADDRESS_A);
    expect(await closedByServer(silent)).toBe('closed');
  });

  it('leaves an upgraded WebSocket to its own idle rules', async () => {
    const s = await server({ http_headers_timeout: 1 });
    const alice = await s.account('upgraded');
    const ws = await s.connect(alice);
    await new Promise((r) => setTimeout(r, 2_500)); // past the headers timeout and a check
    expect(await ws.call('ping')).toEqual({});
    ws.close();
  });

  it('past the total cap, serves health checks only, then cuts new connections', async () => {
    const s = await server({ max_connections: 4, max_connections_per_address: 0 });
    for (let i = 0; i < 4; i++) await idleSocket(s.url, ADDRESS_A);
    const health = await getFrom(s.url, '/health', ADDRESS_B);
    expect(health).toMatchObject({ status: 200 });
    expect(JSON.parse((health as { body: string }).body)).toMatchObject({ status: 'healthy' });
    expect(await getFrom(s.url, '/ready', ADDRESS_B)).toMatchObject({ status: 200 });
    const other = await getFrom(s.url, '/v1/users/me', ADDRESS_B);
    expect(other).toMatchObject({ status: 503 });
    expect(JSON.parse((other as { body: string }).body).error.code).toBe('UNAVAILABLE');
    const refusal = await upgradeRefusal(`${s.url.replace('http', 'ws')}/v1/ws`, {});
    expect(refusal.status).toBe(503);
    // The headroom (64 connections) held open as well: the next one is cut at once.
    for (let i = 0; i < 64; i++) await idleSocket(s.url, ADDRESS_B);
    const extra = await idleSocket(s.url, ADDRESS_B);
    expect(await closedByServer(extra)).toBe('closed');
  });
});
