import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/adapters/bus/bus-memory.js';
import type { BridgeItemRecord } from '../../src/ports/bridge-store.js';
import { bridgeTopic } from '../../src/ports/bus.js';
import { BRIDGE_EVENT_ITEMS, BridgeLivePublisher } from '../../src/transports/ws/bridge-live.js';

const item = (n: number): BridgeItemRecord => ({
  platform: 'p',
  accountId: 'acc',
  kind: 'message',
  itemId: `m${n}`,
  raw: JSON.stringify({ id: `m${n}`, content: `text ${n}`, createdAt: n }),
  conversationId: 'c1',
  sortTime: n,
  itemTime: n,
  deletedAt: null,
  syncedAt: n,
});

const commit = (from: number, count: number) => {
  const changed = Array.from({ length: count }, (_, i) => item(from + i));
  return {
    platform: 'p',
    accountId: 'acc',
    stats: {},
    changedCount: changed.length,
    changed: () => changed,
    at: from,
    seconds: 0,
  };
};

describe('BridgeLivePublisher', () => {
  it('keeps at most its bound of frames waiting, dropping the oldest, and publishes the rest in order', async () => {
    const bus = new MemoryBus();
    const frames: { items: { message_id?: string; id?: string }[] }[] = [];
    bus.subscribe(bridgeTopic('acc'), (m) => {
      frames.push(JSON.parse(String(m.frame)).data);
    });
    const publisher = new BridgeLivePublisher(bus, pino({ level: 'silent' }), 3);
    // Five frames' worth in one turn: the first two cannot be kept.
    publisher.committed(commit(0, BRIDGE_EVENT_ITEMS * 5));
    expect(publisher.dropped).toBe(2);
    for (let i = 0; i < 10 && frames.length < 3; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(frames).toHaveLength(3);
    const firsts = frames.map((f) => JSON.stringify(f.items[0]));
    expect(firsts[0]).toContain(`m${BRIDGE_EVENT_ITEMS * 2}`);
    expect(firsts[2]).toContain(`m${BRIDGE_EVENT_ITEMS * 4}`);
  });
});
