import { once } from 'node:events';
import { createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { ChatRequest } from '@parley/proto';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceUp } from '../../domain/device.js';
import { GrpcAiLink } from './ai-link-grpc.js';
import { GRPC_PREFIX_BYTES } from './ai-wire.js';
import { STREAM_BUFFER_BYTES } from './pooled-stream.js';

let server: Http2Server | undefined;
let link: GrpcAiLink | undefined;
afterEach(async () => {
  await link?.stop();
  server?.close();
});

const until = async (ok: () => boolean, ms = 5_000) => {
  for (let waited = 0; waited < ms && !ok(); waited += 10) {
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(ok()).toBe(true);
};

/** An AI service on node:http2 that keeps what it receives and reads only when told. */
async function aiService() {
  const received: ChatRequest[] = [];
  let stream: ServerHttp2Stream | undefined;
  let rest = Buffer.alloc(0);
  server = createServer();
  server.on('stream', (s) => {
    stream = s;
    s.respond({ ':status': 200, 'content-type': 'application/grpc' });
    s.on('data', (chunk: Buffer) => {
      let buf = Buffer.concat([rest, chunk]);
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
        const end = GRPC_PREFIX_BYTES + buf.readUInt32BE(1);
        received.push(ChatRequest.decode(buf.subarray(GRPC_PREFIX_BYTES, end)));
        buf = buf.subarray(end);
      }
      rest = buf;
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    addr: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    stream: () => stream,
  };
}

describe('GrpcAiLink', () => {
  it('pauses the devices of a stream whose peer stops reading, drops late audio, and resumes them', async () => {
    const ai = await aiService();
    let dropped = 0;
    let congestedCount = 0;
    let n = 0;
    link = new GrpcAiLink(
      {
        addr: ai.addr,
        streams: 1,
        keepaliveMs: 60_000,
        keepaliveTimeoutMs: 5_000,
        reconnectMaxMs: 1_000,
        sessionQueue: 8,
      },
      {
        now: () => 1_733_000_000_000 + n,
        nextId: () => `m${++n}`,
        onDropped: () => dropped++,
        onCongested: () => congestedCount++,
      },
    );
    await link.start();
    await until(() => link!.state() === 'connected');
    const pauses: boolean[] = [];
    const session = link.open(
      's1',
      { deviceId: 'd1', userId: 'u1', clientId: 'c1' },
      {
        onMessage: () => {},
        onStreamLost: () => {},
        onStreamRestored: () => {},
        onCongestion: (paused) => pauses.push(paused),
      },
    );
    const hello: DeviceUp = {
      type: 'hello',
      version: '3',
      transport: 'websocket',
      audioParams: { format: 'opus', sampleRate: 16_000, channels: 1, frameDuration: 60 },
      featuresJson: '{}',
    };
    session.send(hello);
    await until(() => ai.received.length === 1 && ai.stream() !== undefined);
    ai.stream()!.pause();
    // 4 KiB packets, 16 a turn, until the link says the stream is full.
    const packet = Buffer.alloc(4096, 7);
    let sent = 0;
    for (let turn = 0; turn < 200 && pauses.length === 0; turn++) {
      for (let i = 0; i < 16; i++) {
        if (session.send({ type: 'audio', data: packet }) !== 'dropped') sent++;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(pauses).toEqual([true]);
    expect(congestedCount).toBe(1);
    // The stream holds at least its bound unsent before it is full.
    expect(sent * packet.length).toBeGreaterThan(STREAM_BUFFER_BYTES);
    // While full: audio waits up to the session's bound, then is dropped and counted.
    const results = Array.from({ length: 20 }, () => session.send({ type: 'audio', data: packet }));
    expect(results.filter((r) => r === 'queued')).toHaveLength(8);
    expect(results.filter((r) => r === 'dropped')).toHaveLength(12);
    expect(dropped).toBe(12);
    // A control frame is never dropped.
    expect(session.send({ type: 'listen', state: 'stop', mode: '', text: '' })).toBe('queued');
    ai.stream()!.resume();
    await until(() => pauses.length === 2);
    expect(pauses).toEqual([true, false]);
    // Everything not dropped arrives, in order, the listen last.
    const expected = 1 + sent + 8 + 1;
    await until(() => ai.received.length === expected);
    expect(ai.received.at(-1)!.listen?.state).toBe('stop');
    expect(ai.received.slice(1, -1).every((r) => r.audio?.data.length === 4096)).toBe(true);
    expect(ai.received.map((r) => r.messageId)).toEqual(
      [...ai.received.map((r) => r.messageId)].sort(
        (a, b) => Number(a.slice(1)) - Number(b.slice(1)),
      ),
    );
  });
});
