import { describe, expect, it } from 'vitest';
import { appError } from '../../domain/errors.js';
import { userTopic, type Bus, type BusHandler } from '../../ports/bus.js';
import { bridgeOps } from './bridge-ops.js';
import type { GatewayConnection } from './gateway-connection.js';
import { Hub } from './hub.js';

/** An in-process bus, enough for one hub: synchronous, in order. */
function localBus(): Bus & { listensTo(topic: string): boolean } {
  const handlers = new Map<string, Set<BusHandler>>();
  return {
    publish: (topic, message) => handlers.get(topic)?.forEach((h) => h(message)),
    subscribe: (topic, handler) => {
      const set = handlers.get(topic) ?? new Set<BusHandler>();
      handlers.set(topic, set.add(handler));
      return () => set.delete(handler);
    },
    listensTo: (topic) => (handlers.get(topic)?.size ?? 0) > 0,
    ping: async () => {},
    close: async () => {},
  };
}

const auth = { userId: 'u', sessionId: 's', isGuest: false, expiresAt: Infinity };

function connection() {
  const sent: string[] = [];
  const conn = {
    id: 'c1',
    auth,
    topics: new Set<string>(),
    send: (frame: { payload: Buffer }) => sent.push(String(frame.payload)) > 0,
    close: () => undefined,
  } as unknown as GatewayConnection;
  return { conn, sent };
}

describe('bridge.subscribe', () => {
  it('does not keep a subscription whose grant was withdrawn while it was being checked', async () => {
    const bus = localBus();
    const hub = new Hub(bus);
    const { conn, sent } = connection();
    await hub.add(conn, []);
    let granted = true;
    const read = {
      authorize: async () => {
        if (!granted) throw appError('PERMISSION_DENIED', 'not granted');
        // The withdrawal commits and is announced right after this check saw the grant,
        // before the connection follows the account: the announcement finds nothing to end.
        granted = false;
        bus.publish(userTopic('u'), { control: { kind: 'unsubscribe-bridge', accountId: 'acc' } });
      },
    };
    const subscribe = new Map(bridgeOps({ read, hub })).get('bridge.subscribe')!;
    await expect(subscribe.run({ account_id: 'acc' }, auth, {}, conn)).rejects.toThrow(
      expect.objectContaining({ code: 'PERMISSION_DENIED' }),
    );
    expect([...conn.topics]).toEqual(['user:u']);
    bus.publish('bridge:acc', { frame: Buffer.from('{"event":"bridge.updated"}') });
    expect(sent).toEqual([]);
    expect(bus.listensTo('bridge:acc')).toBe(false);
  });
});
