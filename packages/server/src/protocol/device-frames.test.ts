import { describe, expect, it } from 'vitest';
import { decodeBinaryFrame, encodeAudioFrame, parseProtocolVersion } from './device-audio.js';
import { encodeDeviceFrame, parseDeviceFrame } from './device-frames.js';

describe('device frames', () => {
  it('reads the xiaozhi form and the envelope form alike', () => {
    const flat = parseDeviceFrame(
      '{"type":"listen","session_id":"s","state":"start","mode":"auto"}',
    );
    const envelope = parseDeviceFrame(
      '{"type":"listen","data":{"state":"start","mode":"auto"},"timestamp":1640995200000}',
    );
    expect(flat).toMatchObject({ ok: true, form: 'flat' });
    expect(envelope).toMatchObject({ ok: true, form: 'envelope' });
    if (flat.ok && envelope.ok) expect(flat.up).toEqual(envelope.up);
  });

  it('fills a hello without audio params with the uplink defaults', () => {
    const hello = parseDeviceFrame('{"type":"hello","version":3}');
    expect(hello.ok && hello.up).toMatchObject({
      type: 'hello',
      version: '3',
      transport: 'websocket',
      audioParams: { format: 'opus', sampleRate: 16000, channels: 1, frameDuration: 60 },
      featuresJson: '{}',
    });
  });

  it('names what is wrong with a bad frame', () => {
    expect(parseDeviceFrame('nope')).toMatchObject({ ok: false, message: /JSON/ });
    expect(parseDeviceFrame('"text"')).toMatchObject({ ok: false, message: /object/ });
    expect(parseDeviceFrame('{"type":1}')).toMatchObject({ ok: false, message: /type/ });
    expect(parseDeviceFrame('{"type":"x"}')).toMatchObject({ ok: false, message: /Unknown/ });
    expect(parseDeviceFrame('{"type":"listen","state":"sing"}')).toMatchObject({
      ok: false,
      message: /state/,
    });
    expect(parseDeviceFrame('{"type":"mcp","payload":"x"}')).toMatchObject({ ok: false });
    expect(parseDeviceFrame('{"type":"image"}')).toMatchObject({
      ok: false,
      message: /url or data/,
    });
  });

  it('encodes frames to the device with session id and timestamp, and a data copy for the envelope form', () => {
    const flat = JSON.parse(encodeDeviceFrame({ type: 'stt', text: 'hi' }, 's1', 5));
    expect(flat).toEqual({ type: 'stt', session_id: 's1', text: 'hi', timestamp: 5 });
    const env = JSON.parse(
      encodeDeviceFrame({ type: 'tts', state: 'start', text: '' }, 's1', 5, 'envelope'),
    );
    expect(env).toEqual({
      type: 'tts',
      session_id: 's1',
      state: 'start',
      timestamp: 5,
      data: { state: 'start' },
    });
  });
});

describe('binary audio frames', () => {
  const opus = Buffer.from([1, 2, 3, 4, 5]);

  it('round-trips an Opus packet in every Protocol-Version', () => {
    for (const version of [1, 2, 3] as const) {
      const frame = encodeAudioFrame(version, opus, 1234);
      expect(frame.length).toBe(opus.length + [0, 0, 16, 4][version]!);
      expect(decodeBinaryFrame(version, frame)).toEqual({ kind: 'audio', data: opus });
    }
    expect(encodeAudioFrame(2, opus, 1234).readUInt32BE(8)).toBe(1234);
  });

  it('reads JSON inside a version 2 frame', () => {
    const json = Buffer.from('{"type":"abort"}');
    const frame = Buffer.concat([Buffer.alloc(16), json]);
    frame.writeUInt16BE(2, 0);
    frame.writeUInt16BE(1, 2);
    frame.writeUInt32BE(json.length, 12);
    expect(decodeBinaryFrame(2, frame)).toEqual({ kind: 'json', text: '{"type":"abort"}' });
  });

  it('refuses short frames, wrong versions, wrong types and sizes that lie', () => {
    const v2 = encodeAudioFrame(2, opus, 0);
    expect(decodeBinaryFrame(2, v2.subarray(0, 10))).toMatchObject({ kind: 'bad' });
    const wrongVersion = Buffer.from(v2);
    wrongVersion.writeUInt16BE(3, 0);
    expect(decodeBinaryFrame(2, wrongVersion)).toMatchObject({ kind: 'bad', message: /version 3/ });
    const lying = Buffer.from(v2);
    lying.writeUInt32BE(6, 12);
    expect(decodeBinaryFrame(2, lying)).toMatchObject({ kind: 'bad', message: /payload_size 6/ });
    const v3 = encodeAudioFrame(3, opus, 0);
    const v3type = Buffer.from(v3);
    v3type.writeUInt8(1, 0);
    expect(decodeBinaryFrame(3, v3type)).toMatchObject({ kind: 'bad', message: /type 1/ });
    expect(decodeBinaryFrame(3, Buffer.alloc(2))).toMatchObject({ kind: 'bad' });
  });

  it('takes Protocol-Version 1, 2 or 3 (1 by default)', () => {
    expect([undefined, '', '1', '2', '3', '4', 'x'].map(parseProtocolVersion)).toEqual([
      1,
      1,
      1,
      2,
      3,
      undefined,
      undefined,
    ]);
  });
});
