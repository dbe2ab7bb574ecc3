import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/adapters/bus/bus-memory.js';
import { knowsInterest } from '../../src/ports/bus.js';
import { describeBusContract } from './bus.contract.js';

describeBusContract('memory', async () => new MemoryBus(), { spansNodes: false });

describe('the in-process bus knows who listens (BusInterest)', () => {
  it('has subscribers on a topic exactly while a subscription to it lasts', () => {
    const bus = new MemoryBus();
    expect(knowsInterest(bus)).toBe(true);
    expect(bus.hasSubscribers('bridge:a')).toBe(false);
    const first = bus.subscribe('bridge:a', () => {});
    const second = bus.subscribe('bridge:a', () => {});
    expect(bus.hasSubscribers('bridge:a')).toBe(true);
    expect(bus.hasSubscribers('bridge:b')).toBe(false);
    first();
    expect(bus.hasSubscribers('bridge:a')).toBe(true);
    second();
    expect(bus.hasSubscribers('bridge:a')).toBe(false);
  });
});
