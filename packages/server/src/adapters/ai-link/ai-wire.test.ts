import { ChatRequest, ChatResponse, MessageType, ResponseType } from '@parley/proto';
import { describe, expect, it } from 'vitest';
import { toAiDown } from './ai-codec.js';
import { AudioRequestEncoder, GRPC_PREFIX_BYTES, frameMessage, readResponse } from './ai-wire.js';

/** A small deterministic generator, so that a failure repeats. */
function random(seed: number) {
  let x = seed;
  const next = () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
  const int = (n: number) => Math.floor(next() * n);
  const text = (max: number) =>
    Array.from({ length: int(max) }, () =>
      int(4) === 0 ? String.fromCodePoint(0x80 + int(0x2000)) : String.fromCharCode(33 + int(90)),
    ).join('');
  const bytes = (n: number) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 97) out[i] = int(256);
    return out;
  };
  return { int, text, bytes };
}

const SIZES = [1, 2, 120, 127, 128, 129, 16_383, 16_384, 70_000];

describe('AudioRequestEncoder', () => {
  it('writes exactly the bytes the generated encoder writes', () => {
    const r = random(7);
    for (let i = 0; i < 400; i++) {
      const who = {
        deviceId: r.text(20),
        userId: r.text(30),
        clientId: i % 5 === 0 ? '' : r.text(40),
      };
      const sessionId = r.text(30);
      const uplink = {
        sampleRate: [0, 16_000, 48_000][i % 3]!,
        frameDuration: [0, 20, 60][i % 3]!,
      };
      const messageId = r.text(30) || 'x';
      const timestamp = [1, 127, 128, 1_733_000_000_000, Number.MAX_SAFE_INTEGER][i % 5]!;
      const data = r.bytes(SIZES[i % SIZES.length]!);
      const framed = new AudioRequestEncoder(who, sessionId, uplink).encode(
        messageId,
        timestamp,
        data,
      );
      const expected = ChatRequest.encode({
        ...ChatRequest.create(),
        ...who,
        messageId,
        sessionId,
        timestamp,
        type: MessageType.MESSAGE_TYPE_AUDIO,
        audio: { data, format: 'opus', ...uplink },
      }).finish();
      expect(framed?.equals(frameMessage(expected))).toBe(true);
    }
  });

  it('leaves to the generated encoder what it would write differently', () => {
    const encoder = new AudioRequestEncoder({ deviceId: 'd', userId: 'u', clientId: 'c' }, 's', {
      sampleRate: 16_000,
      frameDuration: 60,
    });
    expect(encoder.encode('', 1, Buffer.from([1]))).toBeUndefined();
    expect(encoder.encode('m', 1, Buffer.alloc(0))).toBeUndefined();
    expect(encoder.encode('m', 0, Buffer.from([1]))).toBeUndefined();
    expect(encoder.encode('m', -5, Buffer.from([1]))).toBeUndefined();
    expect(encoder.encode('m', 1.5, Buffer.from([1]))).toBeUndefined();
  });
});

/** What the generated decoder makes of `bytes`. */
function generated(bytes: Uint8Array) {
  const response = ChatResponse.decode(bytes);
  return { sessionId: response.sessionId, down: toAiDown(response) };
}

describe('readResponse', () => {
  it('reads audio responses as the generated decoder does, without copying the audio', () => {
    const r = random(11);
    for (let i = 0; i < 400; i++) {
      const data = r.bytes(SIZES[i % SIZES.length]!);
      const bytes = Buffer.from(
        ChatResponse.encode({
          messageId: r.text(30),
          deviceId: r.text(20),
          type: ResponseType.RESPONSE_TYPE_AUDIO,
          timestamp: [0, 1, 1_733_000_000_000][i % 3]!,
          sessionId: r.text(30),
          audio: {
            data,
            format: i % 2 ? 'opus' : '',
            sampleRate: 24_000 * (i % 2),
            frameDuration: 60,
          },
        }).finish(),
      );
      const read = readResponse(bytes);
      const expected = generated(bytes);
      expect(read.sessionId).toBe(expected.sessionId);
      const down = read.down as { type: string; data: Buffer };
      expect(down.type).toBe('audio');
      expect(down.data.equals(data)).toBe(true);
      expect(down.data.buffer).toBe(bytes.buffer);
    }
  });

  it('reads every other response, odd field orders and unknown fields as the generated decoder does', () => {
    const audio = (sessionId: string, data: number[]) =>
      Buffer.from(
        ChatResponse.encode({
          ...ChatResponse.create(),
          type: ResponseType.RESPONSE_TYPE_AUDIO,
          sessionId,
          audio: { data: Buffer.from(data), format: 'opus', sampleRate: 24_000, frameDuration: 60 },
        }).finish(),
      );
    const cases: Buffer[] = [
      Buffer.from(
        ChatResponse.encode({
          ...ChatResponse.create(),
          type: ResponseType.RESPONSE_TYPE_TEXT,
          sessionId: 's',
          text: { kind: 'llm', text: 'hi', emotion: 'happy', final: true },
        }).finish(),
      ),
      Buffer.from(
        ChatResponse.encode({
          ...ChatResponse.create(),
          type: ResponseType.RESPONSE_TYPE_STATUS,
          sessionId: 's',
          status: { ttsState: 'start', text: '' },
        }).finish(),
      ),
      // Audio type without audio content, and audio content under another type.
      Buffer.from(
        ChatResponse.encode({
          ...ChatResponse.create(),
          type: ResponseType.RESPONSE_TYPE_AUDIO,
        }).finish(),
      ),
      Buffer.from(
        ChatResponse.encode({
          ...ChatResponse.create(),
          type: ResponseType.RESPONSE_TYPE_MCP,
          audio: { data: Buffer.from([1]), format: '', sampleRate: 0, frameDuration: 0 },
        }).finish(),
      ),
      // Fields in reverse order; two audio contents (merged); an unknown field; a negative enum.
      Buffer.concat([audio('', [9, 9]).subarray(2), audio('s', [1, 2, 3]).subarray(0, 2)]),
      Buffer.concat([audio('s', [1, 2]), audio('s', [3])]),
      Buffer.concat([audio('s', [1, 2]), Buffer.from([0x30, 0x05])]),
      Buffer.concat([audio('s', [1]), Buffer.from([0x18, ...Array(9).fill(0xff), 0x01])]),
      Buffer.alloc(0),
    ];
    for (const bytes of cases) expect(readResponse(bytes)).toEqual(generated(bytes));
  });

  it('throws on bytes that are not a ChatResponse, as the generated decoder does', () => {
    for (const bytes of [
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x99]),
      Buffer.from([0x5a, 0x05, 0x0a, 0x10, 1]),
      Buffer.from([0x2a, 0x7f]),
    ]) {
      expect(() => ChatResponse.decode(bytes)).toThrow();
      expect(() => readResponse(bytes)).toThrow();
    }
  });

  it('frames a message with gRPC prefix', () => {
    expect([...frameMessage(Buffer.from([7, 8]))]).toEqual([0, 0, 0, 0, 2, 7, 8]);
    expect(GRPC_PREFIX_BYTES).toBe(5);
  });
});
