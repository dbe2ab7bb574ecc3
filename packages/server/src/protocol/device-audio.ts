/**
 * Binary audio frames of the device protocol (DEVICES.md), by Protocol-Version:
 * 1: the frame is one Opus packet;
 * 2: `u16 version (2), u16 type (0 Opus, 1 JSON), u32 reserved, u32 timestamp_ms,
 *    u32 payload_size`, big-endian, then the payload;
 * 3: `u8 type (0 Opus), u8 reserved, u16 payload_size`, big-endian, then the payload.
 */

export type ProtocolVersion = 1 | 2 | 3;

export const parseProtocolVersion = (value: string | undefined): ProtocolVersion | undefined =>
  value === undefined || value === '' || value === '1'
    ? 1
    : value === '2'
      ? 2
      : value === '3'
        ? 3
        : undefined;

export type BinaryFrame =
  | { readonly kind: 'audio'; readonly data: Uint8Array }
  | { readonly kind: 'json'; readonly text: string }
  | { readonly kind: 'bad'; readonly message: string };

const V2_HEADER = 16;
const V3_HEADER = 4;

/** Reads one binary frame a device sent in `version`. Never throws. */
export function decodeBinaryFrame(version: ProtocolVersion, frame: Buffer): BinaryFrame {
  if (version === 1) return { kind: 'audio', data: frame };
  if (version === 2) {
    if (frame.length < V2_HEADER) return bad('shorter than the 16-byte header of version 2');
    const headerVersion = frame.readUInt16BE(0);
    if (headerVersion !== 2) return bad(`header version ${headerVersion}, expected 2`);
    const type = frame.readUInt16BE(2);
    const size = frame.readUInt32BE(12);
    if (size !== frame.length - V2_HEADER) {
      return bad(`payload_size ${size} but ${frame.length - V2_HEADER} bytes follow the header`);
    }
    const payload = frame.subarray(V2_HEADER);
    if (type === 0) return { kind: 'audio', data: payload };
    if (type === 1) return { kind: 'json', text: payload.toString('utf8') };
    return bad(`payload type ${type} (0 is Opus, 1 is JSON)`);
  }
  if (frame.length < V3_HEADER) return bad('shorter than the 4-byte header of version 3');
  const type = frame.readUInt8(0);
  const size = frame.readUInt16BE(2);
  if (size !== frame.length - V3_HEADER) {
    return bad(`payload_size ${size} but ${frame.length - V3_HEADER} bytes follow the header`);
  }
  if (type !== 0) return bad(`payload type ${type} (0 is Opus)`);
  return { kind: 'audio', data: frame.subarray(V3_HEADER) };
}

/** The bytes before the Opus packet in each version's binary frame. */
export const AUDIO_HEADER_BYTES: Readonly<Record<ProtocolVersion, number>> = {
  1: 0,
  2: V2_HEADER,
  3: V3_HEADER,
};

/**
 * One Opus packet as a binary frame in `version`; `timestampMs` is used by version 2. With
 * `headroom`, the frame starts that many (unwritten) bytes in, for the transport's own header.
 */
export function encodeAudioFrame(
  version: ProtocolVersion,
  opus: Uint8Array,
  timestampMs: number,
  headroom = 0,
): Buffer {
  if (version === 1 && headroom === 0) {
    return Buffer.from(opus.buffer, opus.byteOffset, opus.byteLength);
  }
  if (version === 3 && opus.byteLength > 0xffff)
    throw new RangeError('An Opus packet of version 3 is at most 65535 bytes');
  const at = headroom;
  const frame = Buffer.allocUnsafe(at + AUDIO_HEADER_BYTES[version] + opus.byteLength);
  if (version === 2) {
    frame.writeUInt16BE(2, at);
    frame.writeUInt16BE(0, at + 2);
    frame.writeUInt32BE(0, at + 4);
    frame.writeUInt32BE(timestampMs >>> 0, at + 8);
    frame.writeUInt32BE(opus.byteLength, at + 12);
  } else if (version === 3) {
    frame.writeUInt8(0, at);
    frame.writeUInt8(0, at + 1);
    frame.writeUInt16BE(opus.byteLength, at + 2);
  }
  frame.set(opus, at + AUDIO_HEADER_BYTES[version]);
  return frame;
}

const bad = (why: string): BinaryFrame => ({
  kind: 'bad',
  message: `Bad audio frame for this Protocol-Version: ${why}.`,
});
