import { describe, expect, it } from 'vitest';
import { wsOps } from '../../src/transports/ws/ws-ops.js';
import { WS_CODES } from '../support/authz/cells.js';
import { e2eServer } from '../support/e2e-fixture.js';
import { buildFixture, MATRIX_SETTINGS, ROLES, type Fixture } from '../support/authz/fixture.js';
import { snapshot } from '../support/authz/snapshot.js';
import { WS_MATRIX } from '../support/authz/ws-matrix.js';
import { upgradeRefusal, WsTestClient } from '../support/ws-test-client.js';

// The authorisation matrix over WebSocket: every op × every role (docs/reliability.md).
describe('authorisation matrix, WebSocket', () => {
  const t = e2eServer('sqlite', MATRIX_SETTINGS);
  // As in the REST matrix: reads and refusals share a fixture, changes get a fresh one.
  let shared: Promise<Fixture> | undefined;
  const READS = new Set([
    'ping',
    'message.history',
    'message.changes',
    'conversation.list',
    'conversation.get',
    'typing', // never stored
  ]);

  it('has a row for every op the server serves, and none for an op it does not', () => {
    // The ops table only needs its services to run an op, not to be listed.
    const ops = [...wsOps({} as Parameters<typeof wsOps>[0]).keys()].sort();
    expect(Object.keys(WS_MATRIX).sort()).toEqual(ops);
  });

  for (const [op, variants] of Object.entries(WS_MATRIX)) {
    for (const variant of variants) {
      for (const role of ROLES) {
        const expected = variant.expect[role];
        if (expected === null) continue;
        it(`${op} on ${variant.on} as ${role} → ${expected}`, async () => {
          const mayChange = expected < 400 && !READS.has(op);
          const fx = await (mayChange
            ? buildFixture(t.server)
            : (shared ??= buildFixture(t.server)));
          const wsUrl = `${t.server.url.replace(/^http/, 'ws')}/v1/ws`;
          if (role === 'anonymous') {
            const refusal = await upgradeRefusal(wsUrl, {});
            expect(refusal.status).toBe(expected);
            expect(refusal.body).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
            return;
          }
          const { body } = variant.request(fx, role);
          const before = expected >= 400 ? await snapshot(t.server, fx) : undefined;
          const client = await WsTestClient.connect(t.server.url, fx.users[role].token);
          try {
            const reply = await client.request(op, body);
            const seen = JSON.stringify(reply).slice(0, 300);
            if (expected < 400) {
              expect(reply.ok, seen).toBe(true);
              return;
            }
            expect(reply.ok, seen).toBe(false);
            if (reply.ok) shared = undefined;
            expect(WS_CODES[expected], seen).toContain(reply.error?.code);
            expect(reply.error?.message.length, seen).toBeGreaterThan(5);
            const after = await snapshot(t.server, fx);
            if (JSON.stringify(after) !== JSON.stringify(before)) shared = undefined;
            expect(after, 'a refused op changed nothing').toEqual(before);
          } finally {
            client.close();
          }
        });
      }
    }
  }
});
