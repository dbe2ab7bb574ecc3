import { once } from 'node:events';
import {
  createServer,
  type Http2Server,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { frameMessage } from './ai-wire.js';
import { H2Call } from './h2-call.js';
import { H2Channel } from './h2-channel.js';

const GRPC_HEADERS: OutgoingHttpHeaders = { ':status': 200, 'content-type': 'application/grpc' };
const REQUEST = {
  ':method': 'POST',
  ':path': '/x',
  'content-type': 'application/grpc',
  te: 'trailers',
};

let server: Http2Server | undefined;
let channel: H2Channel | undefined;

afterEach(async () => {
  channel?.close();
  server?.close();
  server = undefined;
});

/** A plain HTTP/2 server; `onStream` plays the gRPC peer. */
async function connect(
  onStream: (stream: ServerHttp2Stream) => void,
  onMessage: (bytes: Buffer) => void = () => {},
) {
  server = createServer();
  server.on('stream', onStream);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  channel = new H2Channel(`127.0.0.1:${port}`, {
    keepaliveMs: 60_000,
    keepaliveTimeoutMs: 1_000,
    connectTimeoutMs: 1_000,
  });
  await new Promise<void>((resolve, reject) =>
    channel!.ready((err) => (err ? reject(err) : resolve())),
  );
  const events = { messages: [] as Buffer[], broken: [] as string[], congestion: [] as boolean[] };
  const stream = channel.request(REQUEST);
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let writes = 0;
  (stream as unknown as { write: typeof write }).write = (...args) => {
    writes++;
    return write(...args);
  };
  const call = new H2Call(
    stream,
    {
      message: (bytes) => {
        events.messages.push(Buffer.from(bytes));
        onMessage(bytes);
      },
      broken: (reason) => events.broken.push(reason),
      congestion: (full) => events.congestion.push(full),
    },
    { congestedBytes: 64 * 1024, maxMessageBytes: 1024 },
  );
  return { call, events, writes: () => writes };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
};

describe('H2Call', () => {
  it('sends the messages of one turn in one write', async () => {
    const chunks: Buffer[] = [];
    const { call, writes } = await connect((stream) => {
      stream.respond(GRPC_HEADERS);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    });
    for (let i = 0; i < 200; i++) call.write(frameMessage(Buffer.from([i % 256, 1, 2])));
    await until(() => Buffer.concat(chunks).length === 200 * 8);
    const all = Buffer.concat(chunks);
    for (let i = 0; i < 200; i++) expect(all[i * 8 + 5]).toBe(i % 256);
    expect(writes()).toBe(1);
    // 1,600 bytes in one write: HTTP/2 carries them in one DATA frame.
    expect(chunks.length).toBe(1);
  });

  it('cuts messages from DATA however it is split, and copies only the straddling ones', async () => {
    const messages = Array.from({ length: 50 }, (_, i) => Buffer.alloc(i * 20 + 1, i));
    const wire = Buffer.concat(messages.map(frameMessage));
    const { events } = await connect((stream) => {
      stream.respond(GRPC_HEADERS);
      // Every split point from 1 byte to 61: each write is its own DATA frame.
      let at = 0;
      for (let size = 1; at < wire.length; size = (size % 61) + 1) {
        stream.write(wire.subarray(at, at + size));
        at += size;
      }
    });
    await until(() => events.messages.length === 50);
    expect(events.messages).toEqual(messages);
    expect(events.broken).toEqual([]);
  });

  it('delivers a chunk of many messages over several turns, in order, then reads on', async () => {
    const messages = Array.from({ length: 400 }, (_, i) => Buffer.from([i >> 8, i & 0xff]));
    let peer: ServerHttp2Stream | undefined;
    const turns = new Set<number>();
    let turn = 0;
    let ticking = true;
    const tick = () => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const { events } = await connect(
      (stream) => {
        peer = stream;
        stream.respond(GRPC_HEADERS);
        // All 400 in one write: one DATA frame, one chunk at the client.
        stream.write(Buffer.concat(messages.map(frameMessage)));
      },
      () => {
        // 0.1 ms of work a message: 40 ms for the chunk, far over one turn's share.
        const until = performance.now() + 0.1;
        while (performance.now() < until);
        turns.add(turn);
      },
    );
    await until(() => events.messages.length === 400);
    expect(events.messages).toEqual(messages);
    // Other work ran between parts of the chunk: its messages were delivered in many turns.
    expect(turns.size).toBeGreaterThan(5);
    // And the stream reads on afterwards.
    peer!.write(frameMessage(Buffer.from([7])));
    await until(() => events.messages.length === 401);
    ticking = false;
  });

  it('breaks on a message over the limit, and on a compressed one', async () => {
    const big = await connect((stream) => {
      stream.respond(GRPC_HEADERS);
      stream.write(frameMessage(Buffer.alloc(2_000)));
    });
    await until(() => big.events.broken.length === 1);
    expect(big.events.broken[0]).toMatch(/2000 bytes \(at most 1024\)/);
    server?.close();
    const compressed = await connect((stream) => {
      stream.respond(GRPC_HEADERS);
      stream.write(Buffer.from([1, 0, 0, 0, 1, 9]));
    });
    await until(() => compressed.events.broken.length === 1);
    expect(compressed.events.broken[0]).toMatch(/compressed/);
  });

  it('says how the server ended the call, once', async () => {
    const { events } = await connect((stream) => {
      stream.respond(GRPC_HEADERS, { waitForTrailers: true });
      stream.on('wantTrailers', () =>
        stream.sendTrailers({ 'grpc-status': '14', 'grpc-message': 'going%20away' }),
      );
      stream.end(frameMessage(Buffer.from([0x2a, 1, 0x41])));
    });
    await until(() => events.broken.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(events.messages).toHaveLength(1);
    expect(events.broken).toEqual(['the AI service ended the stream (grpc-status 14 going away)']);
  });

  it('refuses a server that does not answer with gRPC', async () => {
    const { events } = await connect((stream) => {
      stream.respond({ ':status': 404, 'content-type': 'text/plain' });
      stream.end('no');
    });
    await until(() => events.broken.length === 1);
    expect(events.broken[0]).toMatch(/HTTP 404 \(text\/plain\)/);
  });

  it('is full while the server does not read, and says so again once it drained', async () => {
    let peer: ServerHttp2Stream | undefined;
    const { call, events } = await connect((stream) => {
      stream.respond(GRPC_HEADERS);
      stream.pause();
      peer = stream;
    });
    await until(() => peer !== undefined);
    // The peer's windows (64 KiB by default) fill first; then the bytes wait here.
    for (let turn = 0; turn < 40 && !call.congested; turn++) {
      for (let i = 0; i < 100; i++) call.write(frameMessage(Buffer.alloc(100)));
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(call.congested).toBe(true);
    expect(events.congestion).toEqual([true]);
    peer!.resume();
    peer!.on('data', () => {});
    await until(() => !call.congested);
    expect(events.congestion).toEqual([true, false]);
  });
});
