/** The device part of the Store contract (seed 002's tables), run against every engine. */
import { describe, expect, it } from 'vitest';
import type { DeviceSessionRecord } from '../../src/ports/device-store.js';
import { storeForEachCase, type StoreHarness } from './store.contract.js';

let serial = 0;
const uniq = () => `${Date.now().toString(36)}${(serial++).toString(36).padStart(4, '0')}`;

function session(
  deviceId: string,
  overrides: Partial<DeviceSessionRecord> = {},
): DeviceSessionRecord {
  return {
    sessionId: `ds${uniq()}`,
    deviceId,
    clientId: 'client-1',
    userId: 'u1',
    connectedAt: 1_000,
    lastActiveAt: 1_000,
    status: 'active',
    metadata: '{"protocol_version":1}',
    ...overrides,
  };
}

const empty = { opened: [], logs: [], events: [], touched: [], statuses: [] } as const;

export function describeDeviceStoreContract(
  engine: string,
  makeHarness: () => Promise<StoreHarness>,
) {
  describe(`Store contract, devices: ${engine}`, () => {
    const store = storeForEachCase(makeHarness);

    it('records a device when seen, and keeps its first record on later visits', async () => {
      const deviceId = `aa:bb:${uniq()}`;
      const first = await store().devices.seen({
        deviceId,
        clientId: 'c1',
        systemInfo: '{"a":1}',
        at: 10,
      });
      expect(first).toMatchObject({ deviceId, ownerId: null, clientId: 'c1', createdAt: 10 });
      const again = await store().devices.seen({ deviceId, clientId: 'c1', at: 20 });
      expect(again).toMatchObject({ createdAt: 10, lastSeenAt: 20, systemInfo: '{"a":1}' });
    });

    it('binds by code once, for exactly one of many racing binders, and not after expiry', async () => {
      const deviceId = `dev-${uniq()}`;
      await store().devices.seen({ deviceId, clientId: 'c1', at: 10 });
      const code = uniq().slice(-6);
      expect(await store().devices.setBindCode(deviceId, code, 1_000, 'c2')).toBe(true);
      // The code is the one shown to c2: binding it binds that client.
      expect((await store().devices.findById(deviceId))?.clientId).toBe('c2');
      expect(await store().devices.bindByCode(code, 'u-late', 1_000)).toBeUndefined();
      const results = await Promise.all(
        ['u1', 'u2', 'u3', 'u4'].map((u) => store().devices.bindByCode(code, u, 500)),
      );
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toMatchObject({ deviceId, boundAt: 500, bindCode: null });
      expect((await store().devices.findById(deviceId))?.ownerId).toBe(winners[0]?.ownerId);
      // Bound: a new code is not given, and the spent one binds nothing.
      expect(await store().devices.bindByCode(code, 'u5', 600)).toBeUndefined();
    });

    it('refuses a bind code another device holds', async () => {
      const a = `dev-a-${uniq()}`;
      const b = `dev-b-${uniq()}`;
      await store().devices.seen({ deviceId: a, clientId: 'c', at: 1 });
      await store().devices.seen({ deviceId: b, clientId: 'c', at: 1 });
      const code = `c${uniq()}`;
      expect(await store().devices.setBindCode(a, code, 100, 'c')).toBe(true);
      expect(await store().devices.setBindCode(b, code, 100, 'c')).toBe(false);
    });

    it('lets a user claim an unowned device, never one that has an owner', async () => {
      const deviceId = `dev-${uniq()}`;
      expect(await store().devices.claim(deviceId, 'c', 'owner', 5)).toMatchObject({
        ownerId: 'owner',
        clientId: 'c',
      });
      expect(await store().devices.claim(deviceId, 'c9', 'intruder', 6)).toMatchObject({
        ownerId: 'owner',
        clientId: 'c',
      });
    });

    it("pages a user's devices in device id order", async () => {
      const owner = `o${uniq()}`;
      const ids = ['d3', 'd1', 'd5', 'd2', 'd4'].map((d) => `${d}-${owner}`);
      for (const id of ids) await store().devices.claim(id, 'c', owner, 1);
      await store().devices.claim(`x-${owner}`, 'c', 'someone-else', 1);
      const first = await store().devices.listForOwner(owner, undefined, 2);
      const second = await store().devices.listForOwner(owner, first.at(-1)?.deviceId, 10);
      expect([...first, ...second].map((d) => d.deviceId)).toEqual([...ids].sort());
    });

    it('writes a journal batch at once: sessions, logs, events, activity and status', async () => {
      const deviceId = `dev-${uniq()}`;
      const s = session(deviceId);
      const logId = (n: number) => `${s.sessionId}-l${String(n).padStart(3, '0')}`;
      await store().deviceSessions.journal({
        ...empty,
        opened: [s],
        logs: Array.from({ length: 250 }, (_, n) => ({
          id: logId(n),
          sessionId: s.sessionId,
          messageType: n === 0 ? 'hello' : 'listen',
          content: `{"n":${n},"text":"你好 🌸"}`,
          direction: n % 2 === 0 ? ('inbound' as const) : ('outbound' as const),
          createdAt: 1_000 + n,
        })),
        events: [
          {
            id: `${s.sessionId}-e1`,
            sessionId: s.sessionId,
            eventType: 'connected',
            eventData: '{}',
            createdAt: 1_000,
          },
          {
            id: `${s.sessionId}-e2`,
            sessionId: s.sessionId,
            eventType: 'hello',
            eventData: '{"v":1}',
            createdAt: 1_001,
          },
        ],
      });
      await store().deviceSessions.journal({
        ...empty,
        touched: [{ sessionId: s.sessionId, at: 5_000 }],
        statuses: [{ sessionId: s.sessionId, status: 'disconnected', at: 5_000 }],
      });
      // An older touch never moves last_active_at back.
      await store().deviceSessions.journal({
        ...empty,
        touched: [{ sessionId: s.sessionId, at: 2_000 }],
      });
      expect(await store().deviceSessions.findById(s.sessionId)).toEqual({
        ...s,
        lastActiveAt: 5_000,
        status: 'disconnected',
      });
      const page = await store().deviceSessions.listLogs(s.sessionId, undefined, 100);
      const rest = await store().deviceSessions.listLogs(s.sessionId, page.at(-1)?.id, 1_000);
      expect(page).toHaveLength(100);
      expect(rest).toHaveLength(150);
      expect(page[0]).toEqual({
        id: logId(0),
        sessionId: s.sessionId,
        messageType: 'hello',
        content: '{"n":0,"text":"你好 🌸"}',
        direction: 'inbound',
        createdAt: 1_000,
      });
      expect(rest.at(-1)?.id).toBe(logId(249));
      const events = await store().deviceSessions.listEvents(s.sessionId, undefined, 10);
      expect(events.map((e) => [e.eventType, e.eventData])).toEqual([
        ['connected', '{}'],
        ['hello', '{"v":1}'],
      ]);
      expect(await store().deviceSessions.listEvents(s.sessionId, events[0]?.id, 10)).toHaveLength(
        1,
      );
    });

    it('rolls a whole batch back when part of it fails', async () => {
      const s = session(`dev-${uniq()}`);
      await expect(
        store().deviceSessions.journal({
          ...empty,
          opened: [s],
          events: [
            {
              id: `${s.sessionId}-e`,
              sessionId: 'no-such-session',
              eventType: 'x',
              eventData: '{}',
              createdAt: 1,
            },
          ],
        }),
      ).rejects.toThrow();
      expect(await store().deviceSessions.findById(s.sessionId)).toBeUndefined();
    });

    it("pages a device's sessions newest first", async () => {
      const deviceId = `dev-${uniq()}`;
      const sessions = Array.from({ length: 5 }, () => session(deviceId));
      await store().deviceSessions.journal({ ...empty, opened: sessions });
      await store().deviceSessions.journal({ ...empty, opened: [session(`other-${uniq()}`)] });
      const first = await store().deviceSessions.listForDevice(deviceId, undefined, 3);
      const second = await store().deviceSessions.listForDevice(
        deviceId,
        first.at(-1)?.sessionId,
        3,
      );
      expect([...first, ...second].map((x) => x.sessionId)).toEqual(
        sessions.map((x) => x.sessionId).reverse(),
      );
    });
  });
}
