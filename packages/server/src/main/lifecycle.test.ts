import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Lifecycle } from './lifecycle.js';

const silent = pino({ level: 'silent' });

function recorder() {
  const events: string[] = [];
  const part = (name: string, failStart = false) => ({
    name,
    start: async () => {
      if (failStart) throw new Error(`${name} cannot start`);
      events.push(`start ${name}`);
    },
    stop: async () => {
      events.push(`stop ${name}`);
    },
  });
  return { events, part };
}

describe('Lifecycle', () => {
  it('starts parts in order and stops them in reverse', async () => {
    const { events, part } = recorder();
    const lifecycle = new Lifecycle(silent);
    lifecycle.add(part('store'));
    lifecycle.add(part('bus'));
    lifecycle.add(part('http'));
    await lifecycle.start();
    await lifecycle.stop();
    expect(events).toEqual([
      'start store',
      'start bus',
      'start http',
      'stop http',
      'stop bus',
      'stop store',
    ]);
  });

  it('stops what started when a later part fails to start, and rethrows', async () => {
    const { events, part } = recorder();
    const lifecycle = new Lifecycle(silent);
    lifecycle.add(part('store'));
    lifecycle.add(part('bus', true));
    lifecycle.add(part('http'));
    await expect(lifecycle.start()).rejects.toThrow('bus cannot start');
    expect(events).toEqual(['start store', 'stop store']);
  });

  it('keeps stopping the others when one stop fails', async () => {
    const { events, part } = recorder();
    const lifecycle = new Lifecycle(silent);
    lifecycle.add(part('store'));
    lifecycle.add({ name: 'broken', stop: () => Promise.reject(new Error('no')) });
    lifecycle.add(part('http'));
    await lifecycle.start();
    await lifecycle.stop();
    expect(events).toEqual(['start store', 'start http', 'stop http', 'stop store']);
  });

  it('releases parts that were built but never started', async () => {
    const { events, part } = recorder();
    const lifecycle = new Lifecycle(silent);
    lifecycle.add(part('store'));
    lifecycle.add(part('bus'));
    await lifecycle.discard();
    expect(events).toEqual(['stop bus', 'stop store']);
  });
});
