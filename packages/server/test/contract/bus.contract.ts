/** The Bus contract, run against every adapter (bus-memory.test.ts, bus-nats.test.ts). */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bus, BusControl, BusMessage } from '../../src/ports/bus.js';

/** Waits until `predicate` holds (adapters over a network deliver asynchronously). */
async function eventually(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const frame = (text: string): BusMessage => ({ frame: Buffer.from(text) });
const text = (m: BusMessage): string => m.frame?.toString() ?? '(no frame)';

export interface BusContractOptions {
  /**
   * Whether two buses made for one network reach each other, as two nodes of a cluster do.
   * The in-process bus is one node by design.
   */
  readonly spansNodes: boolean;
}

/**
 * `makeBus(network)` makes a bus, a node of its own; buses made with the same `network` share
 * one message network (one subject prefix on NATS), and each test takes a new network.
 */
export function describeBusContract(
  name: string,
  makeBus: (network: string) => Promise<Bus>,
  options: BusContractOptions,
) {
  describe(`Bus contract: ${name}`, () => {
    let network: string;
    let bus: Bus;
    /**
     * Who publishes in the tests below: another node where the bus spans nodes, so that every
     * message crosses the network (a node's own messages may reach it without it).
     */
    let from: Bus;
    const others: Bus[] = [];
    const peer = async (): Promise<Bus> => {
      const made = await makeBus(network);
      others.push(made);
      return made;
    };
    beforeEach(async () => {
      network = randomUUID().slice(0, 8);
      bus = await makeBus(network);
      from = options.spansNodes ? await peer() : bus;
    });
    afterEach(async () => {
      await Promise.all([bus.close(), ...others.splice(0).map((b) => b.close())]);
    });

    /**
     * Publishes a marker on a topic of its own and waits for it: what the bus published before
     * has arrived then (one publisher, one subscriber: their order holds across topics too).
     */
    async function settle(): Promise<void> {
      const seen: string[] = [];
      const stop = bus.subscribe('user:settle', (m) => seen.push(text(m)));
      await listening();
      from.publish('user:settle', frame('marker'));
      await eventually(() => seen.includes('marker'));
      stop();
    }

    /** The bus's subscriptions so far have reached the network (a flush on NATS). */
    const listening = () => bus.ping();

    it('delivers to every subscriber of the topic, byte for byte, and to no other topic', async () => {
      const a: string[] = [];
      const b: string[] = [];
      const other: string[] = [];
      bus.subscribe('user:1', (m) => a.push(text(m)));
      bus.subscribe('user:1', (m) => b.push(text(m)));
      bus.subscribe('user:2', (m) => other.push(text(m)));
      bus.subscribe('conv:1', (m) => other.push(text(m)));
      const bytes = Buffer.from([0x7b, 0x00, 0xff, 0xc3, 0xa9, 0x0d, 0x0a, 0x7d]);
      await listening();
      from.publish('user:1', { frame: bytes });
      from.publish('user:1', frame('{"event":"x","data":{"t":"é"}}'));
      await eventually(() => a.length === 2 && b.length === 2);
      await settle();
      expect(a).toEqual([bytes.toString(), '{"event":"x","data":{"t":"é"}}']);
      expect(b).toEqual(a);
      expect(other).toEqual([]);
    });

    it('delivers the frame as the exact bytes published', async () => {
      const got: Buffer[] = [];
      bus.subscribe('conv:bytes', (m) => got.push(m.frame ?? Buffer.from('missing')));
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await listening();
      from.publish('conv:bytes', { frame: all });
      from.publish('conv:bytes', { frame: Buffer.alloc(0) });
      await eventually(() => got.length === 2);
      expect(got[0]?.equals(all)).toBe(true);
      expect(got[1]?.length).toBe(0);
    });

    it("keeps one publisher's order per topic", async () => {
      const got: string[] = [];
      bus.subscribe('conv:c', (m) => got.push(text(m)));
      await listening();
      for (let i = 0; i < 500; i++) from.publish('conv:c', frame(String(i)));
      await eventually(() => got.length === 500);
      expect(got).toEqual(Array.from({ length: 500 }, (_, i) => String(i)));
    });

    it('stops delivering after unsubscribe, and drops messages nobody listens to', async () => {
      const got: string[] = [];
      const stop = bus.subscribe('user:3', (m) => got.push(text(m)));
      await listening();
      from.publish('user:3', frame('one'));
      await eventually(() => got.length === 1);
      stop();
      stop(); // a second call changes nothing
      from.publish('user:3', frame('two'));
      from.publish('user:nobody', frame('lost'));
      // Both have reached the network before the topic is subscribed again.
      await from.ping();
      const marker: string[] = [];
      bus.subscribe('user:3', (m) => marker.push(text(m)));
      await listening();
      from.publish('user:3', frame('three'));
      await eventually(() => marker.length === 1);
      expect(got).toEqual(['one']);
      expect(marker).toEqual(['three']);
    });

    it('ends one subscription of a topic without ending the others', async () => {
      const kept: string[] = [];
      const ended: string[] = [];
      const handler = (m: BusMessage) => ended.push(text(m));
      bus.subscribe('conv:shared', (m) => kept.push(text(m)));
      const stop = bus.subscribe('conv:shared', handler);
      bus.subscribe('conv:shared', handler); // the same function, a subscription of its own
      await listening();
      from.publish('conv:shared', frame('a'));
      await eventually(() => kept.length === 1 && ended.length === 2);
      stop();
      from.publish('conv:shared', frame('b'));
      await eventually(() => kept.length === 2);
      await settle();
      expect(kept).toEqual(['a', 'b']);
      expect(ended).toEqual(['a', 'a', 'b']);
    });

    it('carries every field: exceptions and each kind of control', async () => {
      const got: BusMessage[] = [];
      bus.subscribe('user:node-1', (m) => got.push(m));
      const controls: BusControl[] = [
        { kind: 'subscribe', conversationId: 'c1' },
        { kind: 'unsubscribe', conversationId: 'c2' },
        { kind: 'close-session', sessionId: 's1', code: 4001, reason: 'logged out' },
        { kind: 'invalidate', cache: 'social', keys: ['u1', 'u2'], origin: 'n1' },
        { kind: 'invalidate', cache: 'conversation', keys: [], origin: 'n1' },
        { kind: 'invalidate', cache: 'session', keys: ['s.1'], origin: 'n.2' },
      ];
      const sent: BusMessage[] = [
        {
          frame: Buffer.from('{"event":"message"}'),
          exceptConnection: 'conn-1',
          exceptUser: 'ü.9',
        },
        { frame: Buffer.from('x'), exceptUser: 'u1' },
        ...controls.map((control) => ({ control })),
        { exceptConnection: 'c1', exceptUser: 'u9', control: controls[2] },
      ];
      await listening();
      for (const message of sent) from.publish('user:node-1', message);
      await eventually(() => got.length === sent.length);
      expect(got.map(plain)).toEqual(sent.map(plain));
    });

    it('keeps delivering to the others when a handler throws', async () => {
      const got: string[] = [];
      bus.subscribe('user:5', () => {
        throw new Error('broken handler');
      });
      bus.subscribe('user:5', (m) => got.push(text(m)));
      await listening();
      from.publish('user:5', frame('ok'));
      from.publish('user:5', frame('still ok'));
      await eventually(() => got.length === 2);
      expect(got).toEqual(['ok', 'still ok']);
    });

    it('keeps ids with unusual characters apart, wildcards included', async () => {
      const ids = ['a', 'a.b', 'a b', '*', '>', 'a.*', 'a.>', '', 'é', '~', '~YS5i', 'x\ty\r\n'];
      const got = new Map<string, string[]>();
      for (const id of ids) {
        got.set(id, []);
        bus.subscribe(`user:${id}`, (m) => got.get(id)?.push(text(m)));
        bus.subscribe(`conv:${id}`, (m) => got.get(id)?.push(`conv ${text(m)}`));
      }
      await listening();
      for (const id of ids) from.publish(`user:${id}`, frame(`for ${id}`));
      from.publish('conv:a.b', frame('to conv a.b'));
      await eventually(() => ids.every((id) => (got.get(id)?.length ?? 0) >= 1));
      await settle();
      for (const id of ids) {
        expect(got.get(id)).toEqual(
          id === 'a.b' ? [`for ${id}`, 'conv to conv a.b'] : [`for ${id}`],
        );
      }
    });

    it('delivers on the cache topic', async () => {
      const got: BusMessage[] = [];
      bus.subscribe('cache', (m) => got.push(m));
      await listening();
      from.publish('cache', {
        control: { kind: 'invalidate', cache: 'session', keys: ['s1'], origin: 'n1' },
      });
      await eventually(() => got.length === 1);
      expect(got[0]?.control).toEqual({
        kind: 'invalidate',
        cache: 'session',
        keys: ['s1'],
        origin: 'n1',
      });
    });

    it('answers ping while it can deliver', async () => {
      await expect(bus.ping()).resolves.toBeUndefined();
    });

    if (options.spansNodes) {
      it('reaches the subscribers of another node, in order, both ways', async () => {
        const other = await peer();
        const onOther: string[] = [];
        const onThis: BusMessage[] = [];
        let heard = false;
        other.subscribe('conv:c', (m) => {
          if (text(m) === 'probe') heard = true;
          else onOther.push(text(m));
        });
        bus.subscribe('user:u', (m) => onThis.push(m));
        // A subscription reaches the server asynchronously: wait until the other node hears.
        await eventually(() => {
          bus.publish('conv:c', frame('probe'));
          return heard;
        });
        for (let i = 0; i < 200; i++) bus.publish('conv:c', frame(String(i)));
        other.publish('user:u', {
          frame: Buffer.from('back'),
          exceptConnection: 'c9',
          control: { kind: 'subscribe', conversationId: 'c' },
        });
        await eventually(() => onOther.length === 200 && onThis.length === 1);
        expect(onOther).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
        expect(plain(onThis[0] as BusMessage)).toEqual({
          frame: 'back',
          exceptConnection: 'c9',
          control: { kind: 'subscribe', conversationId: 'c' },
        });
      });

      it('delivers to both nodes when both subscribe, and to neither after they leave', async () => {
        const other = await peer();
        const here: string[] = [];
        const there: string[] = [];
        const stopHere = bus.subscribe('cache', (m) => here.push(text(m)));
        const stopThere = other.subscribe('cache', (m) => there.push(text(m)));
        await eventually(() => {
          other.publish('cache', frame('probe'));
          return here.includes('probe') && there.includes('probe');
        });
        stopHere();
        stopThere();
        here.length = 0;
        there.length = 0;
        other.publish('cache', frame('late'));
        const marker: string[] = [];
        bus.subscribe('user:marker', (m) => marker.push(text(m)));
        await eventually(() => {
          other.publish('user:marker', frame('m'));
          return marker.length > 0;
        });
        expect(here).toEqual([]);
        expect(there).toEqual([]);
      });
    }
  });
}

/** A message with its frame as text, for comparisons. */
function plain(m: BusMessage): Record<string, unknown> {
  const { frame: bytes, ...rest } = m;
  return bytes === undefined ? { ...rest } : { ...rest, frame: bytes.toString() };
}
