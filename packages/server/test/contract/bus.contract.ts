/** The Bus contract, run against every adapter (bus-memory.test.ts; the NATS one will join). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bus, BusMessage } from '../../src/ports/bus.js';

/** Waits until `predicate` holds (adapters over a network deliver asynchronously). */
async function eventually(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const frame = (text: string): BusMessage => ({ frame: Buffer.from(text) });

export function describeBusContract(name: string, makeBus: () => Promise<Bus>) {
  describe(`Bus contract: ${name}`, () => {
    let bus: Bus;
    beforeEach(async () => {
      bus = await makeBus();
    });
    afterEach(async () => {
      await bus.close();
    });

    it('delivers to every subscriber of the topic, byte for byte, and to no other topic', async () => {
      const a: string[] = [];
      const b: string[] = [];
      const other: string[] = [];
      bus.subscribe('user:1', (m) => a.push(m.frame?.toString() ?? ''));
      bus.subscribe('user:1', (m) => b.push(m.frame?.toString() ?? ''));
      bus.subscribe('user:2', (m) => other.push(m.frame?.toString() ?? ''));
      bus.publish('user:1', frame('{"event":"x","data":{"t":"é"}}'));
      await eventually(() => a.length === 1 && b.length === 1);
      expect(a).toEqual(['{"event":"x","data":{"t":"é"}}']);
      expect(b).toEqual(a);
      expect(other).toEqual([]);
    });

    it("keeps one publisher's order per topic", async () => {
      const got: string[] = [];
      bus.subscribe('conv:c', (m) => got.push(m.frame?.toString() ?? ''));
      for (let i = 0; i < 100; i++) bus.publish('conv:c', frame(String(i)));
      await eventually(() => got.length === 100);
      expect(got).toEqual(Array.from({ length: 100 }, (_, i) => String(i)));
    });

    it('stops delivering after unsubscribe, and drops messages nobody listens to', async () => {
      const got: string[] = [];
      const stop = bus.subscribe('user:3', (m) => got.push(m.frame?.toString() ?? ''));
      bus.publish('user:3', frame('one'));
      await eventually(() => got.length === 1);
      stop();
      bus.publish('user:3', frame('two'));
      bus.publish('user:nobody', frame('lost'));
      const marker: string[] = [];
      bus.subscribe('user:3', (m) => marker.push(m.frame?.toString() ?? ''));
      bus.publish('user:3', frame('three'));
      await eventually(() => marker.length === 1);
      expect(got).toEqual(['one']);
      expect(marker).toEqual(['three']);
    });

    it('carries exceptions and control instructions', async () => {
      const got: BusMessage[] = [];
      bus.subscribe('user:4', (m) => got.push(m));
      bus.publish('user:4', {
        exceptConnection: 'c1',
        exceptUser: 'u9',
        control: { kind: 'close-session', sessionId: 's1', code: 4001, reason: 'logged out' },
      });
      await eventually(() => got.length === 1);
      expect(got[0]).toMatchObject({
        exceptConnection: 'c1',
        exceptUser: 'u9',
        control: { kind: 'close-session', sessionId: 's1', code: 4001 },
      });
    });

    it('keeps delivering to the others when a handler throws', async () => {
      const got: string[] = [];
      bus.subscribe('user:5', () => {
        throw new Error('broken handler');
      });
      bus.subscribe('user:5', (m) => got.push(m.frame?.toString() ?? ''));
      bus.publish('user:5', frame('ok'));
      await eventually(() => got.length === 1);
      expect(got).toEqual(['ok']);
    });
  });
}
