import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { busLinkWatch, presenceHeartbeat } from './gateway.js';

const silent = pino({ level: 'silent' });

/** A gateway that counts its resyncs, with `open` connections each time. */
function gateway(open = 3) {
  const reasons: string[] = [];
  return {
    reasons,
    resyncAll: (reason: string) => {
      reasons.push(reason);
      return open;
    },
  };
}

/** A bus link the test flips by hand. */
function link() {
  const listeners = new Set<(up: boolean) => void>();
  return {
    onLinkChange(listener: (up: boolean) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set: (up: boolean) => listeners.forEach((l) => l(up)),
    listeners,
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('busLinkWatch', () => {
  it('has the clients resync once the link is back after a short loss', async () => {
    const gw = gateway();
    const bus = link();
    const watch = busLinkWatch({ link: bus, gateway: gw, graceMs: 10_000, logger: silent });
    await watch.start();
    bus.set(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(gw.reasons).toEqual([]);
    bus.set(true);
    expect(gw.reasons).toEqual(['the bus link was interrupted: reconnect and catch up']);
    // The grace timer of that loss was cleared: nothing more.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(gw.reasons).toHaveLength(1);
    await watch.stop();
    expect(bus.listeners.size).toBe(0);
  });

  it('has the clients resync when the link stays down past the grace, and again once back', async () => {
    const gw = gateway();
    const bus = link();
    const watch = busLinkWatch({ link: bus, gateway: gw, graceMs: 10_000, logger: silent });
    await watch.start();
    bus.set(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(gw.reasons).toEqual(['the bus link is down: reconnect and catch up']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(gw.reasons).toHaveLength(1);
    bus.set(true);
    expect(gw.reasons).toHaveLength(2);
    await watch.stop();
  });
});

describe('presenceHeartbeat', () => {
  it('touches every TTL / 3 and has the clients resync when presence had lost the gateway', async () => {
    const gw = gateway();
    const answers = [false, false, true, false];
    let touches = 0;
    const presence = { touch: async () => ({ lost: answers[touches++] ?? false }) };
    const heartbeat = presenceHeartbeat({ presence, gateway: gw, ttlMs: 3_000, logger: silent });
    await heartbeat.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(gw.reasons).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(gw.reasons).toEqual(['presence lost this gateway: reconnect and catch up']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(touches).toBe(4);
    expect(gw.reasons).toHaveLength(1);
    await heartbeat.stop();
  });

  it('goes on beating after a touch fails (Redis away)', async () => {
    const gw = gateway();
    let touches = 0;
    const presence = {
      touch: async () => {
        touches++;
        if (touches === 2) throw new Error('Redis is away');
        return { lost: touches === 3 };
      },
    };
    const heartbeat = presenceHeartbeat({ presence, gateway: gw, ttlMs: 3_000, logger: silent });
    await heartbeat.start();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(touches).toBe(3);
    expect(gw.reasons).toHaveLength(1);
    await heartbeat.stop();
  });
});
