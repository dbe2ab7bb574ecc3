import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { rawSocketOf, TextFrame } from './text-frame.js';
import { TickWrites } from './tick-writes.js';

describe('TextFrame and TickWrites', () => {
  let server: WebSocketServer | undefined;
  afterEach(() => server?.close());

  it('writes frames a ws client reads as text, in order, at every length encoding', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    server = wss;
    const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    await new Promise((resolve) => wss.once('listening', resolve));
    const { port } = wss.address() as AddressInfo;
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    const payloads = ['short', 'x'.repeat(126), 'y'.repeat(70_000), 'é ✓ last'];
    const received: string[] = [];
    const done = new Promise<void>((resolve) =>
      client.on('message', (data, isBinary) => {
        expect(isBinary).toBe(false);
        received.push(data.toString());
        if (received.length === payloads.length) resolve();
      }),
    );
    const socket = rawSocketOf(await accepted);
    expect(socket).toBeDefined();
    const writes = new TickWrites();
    // One tick: the socket stays corked until every frame is queued.
    for (const payload of payloads) writes.write(socket!, new TextFrame(payload).wire);
    expect(socket!.writableCorked).toBe(1);
    await done;
    expect(received).toEqual(payloads);
    expect(socket!.writableCorked).toBe(0);

    // A burst in one tick is written out as it grows, not held whole against the queue bound.
    const burst = new TextFrame('z'.repeat(20 * 1024)).wire;
    for (let i = 0; i < 20; i++) writes.write(socket!, burst);
    expect(socket!.writableLength).toBeLessThan(64 * 1024 + burst.length);
    writes.release(socket!);
    expect(socket!.writableCorked).toBe(0);
    client.close();
  });
});
