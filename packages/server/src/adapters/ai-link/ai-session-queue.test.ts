import { ChatRequest } from '@parley/proto';
import { describe, expect, it } from 'vitest';
import type { DeviceUp } from '../../domain/device.js';
import { toChatRequest } from './ai-codec.js';
import { frameRequest, GRPC_PREFIX_BYTES } from './ai-wire.js';
import { AiSessionQueue, type SessionStream } from './ai-session-queue.js';

/** A stream whose write buffer is full or not, at the test's say. */
class TestStream implements SessionStream {
  live = true;
  congested = false;
  readonly written: ChatRequest[] = [];
  tryWrite(framed: Buffer): boolean {
    if (!this.live || this.congested) return false;
    this.written.push(ChatRequest.decode(framed.subarray(GRPC_PREFIX_BYTES)));
    return true;
  }
}

function session(bound = 4) {
  const pauses: boolean[] = [];
  let dropped = 0;
  let n = 0;
  const queue = new AiSessionQueue({
    id: 's1',
    who: { deviceId: 'd', clientId: 'c', userId: 'u' },
    handlers: {
      onMessage: () => {},
      onStreamLost: () => {},
      onStreamRestored: () => {},
      onCongestion: (c) => pauses.push(c),
    },
    bound,
    build: (up, s) => frameRequest(toChatRequest(up, s.id, s.who, `m${++n}`, 0, s.uplink)),
    onDropped: () => dropped++,
    onRelease: () => {},
  });
  const stream = new TestStream();
  queue.stream = stream;
  return { queue, stream, pauses, dropped: () => dropped };
}

const audio: DeviceUp = { type: 'audio', data: new Uint8Array(10) };
const listen: DeviceUp = { type: 'listen', state: 'stop', mode: '', text: '' };

describe('AiSessionQueue', () => {
  it('writes straight through while the stream takes frames', () => {
    const { queue, stream } = session();
    expect(queue.send(audio)).toBe('sent');
    expect(queue.send(listen)).toBe('sent');
    expect(stream.written).toHaveLength(2);
  });

  it('bounds audio while the stream is congested, and drops the rest', () => {
    const { queue, stream, dropped } = session(4);
    stream.congested = true;
    const results = Array.from({ length: 10 }, () => queue.send(audio));
    expect(results.filter((r) => r === 'queued')).toHaveLength(4);
    expect(results.filter((r) => r === 'dropped')).toHaveLength(6);
    expect(dropped()).toBe(6);
    expect(queue.waiting).toBe(4);
  });

  it('never drops control frames: past the bound it asks the device to pause', () => {
    const { queue, stream, pauses } = session(4);
    stream.congested = true;
    for (let i = 0; i < 6; i++) expect(queue.send(listen)).toBe('queued');
    expect(queue.waiting).toBe(6);
    expect(pauses).toEqual([true]);
    stream.congested = false;
    while (queue.flushOne());
    queue.updatePause();
    expect(stream.written).toHaveLength(6);
    expect(pauses).toEqual([true, false]);
  });

  it('writes what waits before a new frame once the stream takes frames again', () => {
    const { queue, stream, dropped } = session(4);
    stream.congested = true;
    queue.send(audio);
    queue.send(listen);
    // The stream drained for another session's sake: this session hears no 'drain'.
    stream.congested = false;
    expect(queue.send(audio)).toBe('sent');
    expect(stream.written.map((r) => r.type)).toEqual([8, 2, 8]);
    expect(queue.waiting).toBe(0);
    for (let i = 0; i < 100; i++) expect(queue.send(audio)).toBe('sent');
    expect(dropped()).toBe(0);
  });

  it('puts an abort ahead of what waits', () => {
    const { queue, stream } = session(8);
    stream.congested = true;
    queue.send(audio);
    queue.send(listen);
    queue.send({ type: 'abort', reason: 'wake_word_detected' });
    stream.congested = false;
    while (queue.flushOne());
    expect(stream.written.map((r) => r.type)).toEqual([4, 8, 2]);
  });

  it('drops audio at once while its stream is down, and stale audio when it broke', () => {
    const { queue, stream, dropped } = session(8);
    stream.congested = true;
    queue.send(audio);
    queue.send(listen);
    queue.dropWaitingAudio();
    expect(queue.waiting).toBe(1);
    stream.live = false;
    expect(queue.send(audio)).toBe('dropped');
    expect(dropped()).toBe(2);
  });
});
