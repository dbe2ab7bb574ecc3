/**
 * ChatRequest and ChatResponse on the wire, as gRPC length-prefixed messages. Audio — nearly
 * every message of a streaming device, both ways — takes a path written by hand: a session's
 * audio requests differ only in their id, time and packet, so the rest of their bytes are
 * encoded once per session; audio responses are read without building the generated object.
 * Both produce exactly what the generated code (ts-proto) does, which the tests hold them to;
 * every other message goes through the generated code.
 */
import { AudioContent, ChatRequest, ChatResponse, MessageType, ResponseType } from '@parley/proto';
import type { AiDown, DeviceIdentity } from '../../domain/device.js';
import { toAiDown } from './ai-codec.js';

/** gRPC's message prefix: a compressed flag (0) and the length (u32, big-endian). */
export const GRPC_PREFIX_BYTES = 5;

const TAG_MESSAGE_ID = 0x0a; // field 1, length-delimited
const TAG_TYPE = 0x18; // field 3, varint
const TAG_TIMESTAMP = 0x20; // field 4, varint
const TAG_AUDIO = [0x8a, 0x01] as const; // field 17, length-delimited
const TAG_DATA = 0x0a; // AudioContent.data, field 1

/** One gRPC message around `message`. */
export function frameMessage(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(GRPC_PREFIX_BYTES + message.byteLength);
  out[0] = 0;
  out.writeUInt32BE(message.byteLength, 1);
  out.set(message, GRPC_PREFIX_BYTES);
  return out;
}

/** A ChatRequest framed for the stream, by the generated encoder. */
export const frameRequest = (request: ChatRequest): Buffer =>
  frameMessage(ChatRequest.encode(request).finish());

const varintBytes = (n: number): number => {
  let bytes = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
};

function writeVarint(out: Buffer, at: number, n: number): number {
  while (n >= 128) {
    out[at++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

const EMPTY_REQUEST: ChatRequest = ChatRequest.create();

/**
 * A session's audio requests, framed: fields 2 and 5–7 and the AudioContent's format, rate and
 * frame duration are the session's, encoded here once.
 */
export class AudioRequestEncoder {
  readonly #device: Buffer;
  readonly #session: Buffer;
  readonly #audioTail: Buffer;

  constructor(
    who: DeviceIdentity,
    sessionId: string,
    uplink: { readonly sampleRate: number; readonly frameDuration: number },
  ) {
    const part = (fields: Partial<ChatRequest>) =>
      Buffer.from(ChatRequest.encode({ ...EMPTY_REQUEST, ...fields }).finish());
    this.#device = part({ deviceId: who.deviceId });
    this.#session = part({ sessionId, userId: who.userId, clientId: who.clientId });
    this.#audioTail = Buffer.from(
      AudioContent.encode({
        data: Buffer.alloc(0),
        format: 'opus',
        sampleRate: uplink.sampleRate,
        frameDuration: uplink.frameDuration,
      }).finish(),
    );
  }

  /**
   * The framed request; undefined for what the generated encoder writes differently (an empty
   * id or packet, a time that is not a positive integer): the caller encodes those generically.
   */
  encode(messageId: string, timestamp: number, data: Uint8Array): Buffer | undefined {
    if (messageId === '' || data.byteLength === 0) return undefined;
    if (!Number.isSafeInteger(timestamp) || timestamp <= 0) return undefined;
    const idBytes = Buffer.byteLength(messageId, 'utf8');
    const content = 1 + varintBytes(data.byteLength) + data.byteLength + this.#audioTail.length;
    const length =
      1 +
      varintBytes(idBytes) +
      idBytes +
      this.#device.length +
      2 +
      1 +
      varintBytes(timestamp) +
      this.#session.length +
      2 +
      varintBytes(content) +
      content;
    const out = Buffer.allocUnsafe(GRPC_PREFIX_BYTES + length);
    out[0] = 0;
    out.writeUInt32BE(length, 1);
    let at = GRPC_PREFIX_BYTES;
    out[at++] = TAG_MESSAGE_ID;
    at = writeVarint(out, at, idBytes);
    at += out.write(messageId, at, 'utf8');
    at += this.#device.copy(out, at);
    out[at++] = TAG_TYPE;
    out[at++] = MessageType.MESSAGE_TYPE_AUDIO;
    out[at++] = TAG_TIMESTAMP;
    at = writeVarint(out, at, timestamp);
    at += this.#session.copy(out, at);
    out[at++] = TAG_AUDIO[0];
    out[at++] = TAG_AUDIO[1];
    at = writeVarint(out, at, content);
    out[at++] = TAG_DATA;
    at = writeVarint(out, at, data.byteLength);
    out.set(data, at);
    at += data.byteLength;
    this.#audioTail.copy(out, at);
    return out;
  }
}

/** What one ChatResponse says, and to which session. */
export interface ReadResponse {
  readonly sessionId: string;
  /** Undefined when the response's type and content disagree. */
  readonly down: AiDown | undefined;
}

/** Reads one ChatResponse (its bytes without the gRPC prefix); throws on bytes that are not one. */
export function readResponse(bytes: Buffer): ReadResponse {
  const fast = readAudioResponse(bytes);
  if (fast !== undefined) return fast;
  const response = ChatResponse.decode(bytes);
  return { sessionId: response.sessionId, down: toAiDown(response) };
}

/**
 * The hand-written path for an audio response (type AUDIO, content `audio`, no field it does
 * not expect); undefined for anything else, which the generated decoder then reads.
 */
function readAudioResponse(b: Buffer): ReadResponse | undefined {
  const end = b.length;
  let at = 0;
  let type = -1;
  let sessionId = '';
  let data: Buffer | undefined;
  const varint = (): number => {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (at >= end) return -1;
      const byte = b[at++]!;
      n += (byte & 127) * scale;
      if (byte < 128) return n;
      scale *= 128;
    }
    return -1; // longer than this path reads (a negative or huge value): the generic path
  };
  while (at < end) {
    const tag = b[at++]!;
    if (tag === 0x18) {
      type = varint();
      if (type < 0) return undefined;
    } else if (tag === 0x20) {
      if (varint() < 0) return undefined;
    } else if (tag === 0x0a || tag === 0x12 || tag === 0x2a || tag === 0x5a) {
      const length = varint();
      if (length < 0 || at + length > end) return undefined;
      if (tag === 0x2a) sessionId = b.toString('utf8', at, at + length);
      else if (tag === 0x5a) {
        // A second audio content merges into the first: the generated decoder does that.
        if (data !== undefined) return undefined;
        data = readAudioData(b, at, at + length);
        if (data === undefined) return undefined;
      }
      at += length;
    } else return undefined;
  }
  if (type !== ResponseType.RESPONSE_TYPE_AUDIO || data === undefined) return undefined;
  return { sessionId, down: { type: 'audio', data } };
}

/** AudioContent's `data` (fields 2–4 skipped); undefined for anything this path does not read. */
function readAudioData(b: Buffer, start: number, end: number): Buffer | undefined {
  let at = start;
  let data: Buffer = b.subarray(start, start);
  while (at < end) {
    const tag = b[at++]!;
    let n = 0;
    let scale = 1;
    let done = false;
    for (let i = 0; i < 8 && at < end; i++) {
      const byte = b[at++]!;
      n += (byte & 127) * scale;
      scale *= 128;
      if (byte < 128) {
        done = true;
        break;
      }
    }
    if (!done) return undefined;
    if (tag === 0x18 || tag === 0x20) continue; // sample rate, frame duration
    if (tag !== 0x0a && tag !== 0x12) return undefined;
    if (at + n > end) return undefined;
    if (tag === 0x0a) data = b.subarray(at, at + n);
    at += n;
  }
  return data;
}
