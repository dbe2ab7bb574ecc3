import { describe, expect, it } from 'vitest';
import { WS_CODES } from '../support/authz/cells.js';
import { e2eServer } from '../support/e2e-fixture.js';
import { buildFixture, MATRIX_SETTINGS, ROLES, type Fixture } from '../support/authz/fixture.js';
import { REST_MATRIX } from '../support/authz/rest-matrix.js';
import { registeredRoutes } from '../support/authz/routes.js';
import { snapshot } from '../support/authz/snapshot.js';

// The authorisation matrix over REST: every route × every role, on a fresh fixture per cell
// (docs/reliability.md). It tests who may do what, not the engine: SQLite only.
describe('authorisation matrix, REST', () => {
  const t = e2eServer('sqlite', MATRIX_SETTINGS);
  // Reads and refusals share one fixture (a refusal must change nothing, which each such cell
  // checks); a call that may change state gets a fresh one, and so does the cell after a
  // refusal that changed something anyway.
  let shared: Promise<Fixture> | undefined;
  const fixtureFor = (mayChange: boolean): Promise<Fixture> => {
    if (mayChange) return buildFixture(t.server);
    shared ??= buildFixture(t.server);
    return shared;
  };

  it('has a row for every route the server serves, and none for a route it does not', () => {
    const routes = registeredRoutes(t.server.parley.http);
    expect(routes.length).toBeGreaterThan(50);
    expect(Object.keys(REST_MATRIX).sort()).toEqual(routes);
  });

  for (const [route, variants] of Object.entries(REST_MATRIX)) {
    const [method = 'GET', routePath = '/'] = route.split(' ');
    for (const variant of variants) {
      for (const role of ROLES) {
        const expected = variant.expect[role];
        if (expected === null) continue;
        it(`${route} on ${variant.on} as ${role} → ${expected}`, async () => {
          const mayChange = expected < 400 && method !== 'GET';
          const fx = await fixtureFor(mayChange);
          const { path = routePath, body } = variant.request(fx, role);
          const before = expected >= 400 ? await snapshot(t.server, fx) : undefined;
          const res = await t.server.fetch(path, {
            method,
            headers: {
              ...fx.headers(role),
              ...(body !== undefined && { 'content-type': 'application/json' }),
            },
            ...(body !== undefined && { body: JSON.stringify(body) }),
          });
          const seen = `${res.status} ${JSON.stringify(res.body ?? null).slice(0, 300)}`;
          if (!mayChange && res.status < 400 && method !== 'GET') shared = undefined;
          expect(res.status, seen).toBe(expected);
          if (expected >= 400 && path.startsWith('/api/im/')) {
            // The IM-compatible read API keeps the original's error envelope (BRIDGE.md).
            expect(res.body, seen).toEqual({
              data: null,
              status_code: expected,
              status_msg: expect.any(String),
            });
          } else if (expected >= 400) {
            expect(res.body?.error, seen).toMatchObject({
              code: expect.any(String),
              message: expect.any(String),
              trace_id: expect.any(String),
            });
            expect(WS_CODES[expected], seen).toContain(res.body.error.code);
          }
          if (expected >= 400) {
            const after = await snapshot(t.server, fx);
            if (JSON.stringify(after) !== JSON.stringify(before)) shared = undefined;
            expect(after, 'a refused call changed nothing').toEqual(before);
          }
        });
      }
    }
  }
});
