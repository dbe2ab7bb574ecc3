import { describe, expect, it } from 'vitest';
import { e2eServer } from '../support/e2e-fixture.js';
import { ENGINES, json } from '../support/test-server.js';

const PASSWORD = 'a secret nobody logs';

describe.each(ENGINES)('operations endpoints (%s)', (engine) => {
  const t = e2eServer(engine);

  it('serves /health in the seed shape, with the store', async () => {
    const res = await t.server.fetch('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'healthy',
      connections: 0,
      store: { engine, status: 'up' },
    });
  });

  it('serves /ready', async () => {
    const res = await t.server.fetch('/ready');
    expect(res).toMatchObject({ status: 200, body: { ready: true } });
  });

  it('counts requests by route in /metrics, with process metrics', async () => {
    await t.server.fetch('/v1/users/me');
    await t.server.fetch('/v1/users/me');
    const res = await t.server.fetch('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = res.body as string;
    const line = text
      .split('\n')
      .find(
        (l) => l.startsWith('parley_http_requests_total{') && l.includes('route="/v1/users/me"'),
      );
    expect(line).toContain('status="401"');
    expect(Number(line?.split(' ').at(-1))).toBeGreaterThanOrEqual(2);
    expect(text).toContain('parley_http_request_duration_seconds_bucket{');
    expect(text).toContain('parley_process_resident_memory_bytes');
  });

  it('publishes the OpenAPI document generated from the route schemas, and a docs page', async () => {
    const res = await t.server.fetch('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/v1/auth/register',
      '/v1/auth/login',
      '/v1/auth/guest',
      '/v1/auth/refresh',
      '/v1/auth/logout',
      '/v1/auth/verify',
      '/v1/auth/sessions',
      '/v1/auth/sessions/{id}',
      '/v1/users/me',
      '/v1/users/{user_id}',
      '/v1/users',
      '/health',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    const register = doc.paths['/v1/auth/register'].post;
    const body = register.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['username', 'password']));
    expect(Object.keys(register.responses)).toEqual(expect.arrayContaining(['201', '400', '409']));
    const docs = await fetch(`${t.server.url}/docs`, { redirect: 'follow' });
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });

  it('never writes passwords or tokens to the log', async () => {
    const auth = await t.server.client().register({ username: 'logged', password: PASSWORD });
    await t.server.client().login({ username: 'logged', password: PASSWORD });
    await t.server.client().refresh(auth.refresh_token);
    await t.server.fetch(`/v1/users/me?access_token=${auth.access_token}`);
    // Whatever the parameter is called, a token-looking value is redacted.
    await t.server.fetch(`/v1/users/me?AccessToken=${auth.access_token}&limit=5`);
    await t.server.fetch(`/v1/users/me?rt=${auth.refresh_token}`);
    await t.server.fetch('/v1/auth/verify', json({ access_token: auth.access_token }));
    const logs = t.server.logs.join('');
    expect(logs).toContain('"url":"/v1/auth/register"');
    expect(logs).toContain('access_token=[redacted]');
    expect(logs).toContain('AccessToken=[redacted]&limit=5');
    expect(logs).toContain('rt=[redacted]');
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(auth.access_token);
    expect(logs).not.toContain(auth.refresh_token);
    const line = JSON.parse(t.server.logs.find((l) => l.includes('/v1/auth/register')) as string);
    expect(line).toMatchObject({
      level: 30,
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      status: 201,
    });
  });
});
