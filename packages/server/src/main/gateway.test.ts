import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { presenceHeartbeat } from './gateway.js';

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

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
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
