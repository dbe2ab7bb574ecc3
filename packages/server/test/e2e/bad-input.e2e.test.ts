import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { SIGNING_KEY_FILE } from '../../src/main.js';
import { e2eServer, PASSWORD } from '../support/e2e-fixture.js';
import { ENGINES, json } from '../support/test-server.js';
import { expectError } from '../support/expect-error.js';

describe.each(ENGINES)('bad input over HTTP (%s)', (engine) => {
  const t = e2eServer(engine, { signup_limit: 100_000 });

  async function signedIn() {
    const res = await t.server.fetch(
      '/v1/auth/register',
      json({ username: `victim${t.next()}`, password: PASSWORD }),
    );
    expect(res.status).toBe(201);
    return res.body as { access_token: string; refresh_token: string; user: { user_id: string } };
  }

  it('answers malformed JSON with 400 INVALID_ARGUMENT', async () => {
    for (const body of ['{"username": "x",', '{{', 'nul', '[1,2', '"\\u12"']) {
      expectError(await t.server.fetch('/v1/auth/register', json(body)), 400, 'INVALID_ARGUMENT');
    }
  });

  it('answers wrong types and missing fields with 400 naming the field', async () => {
    const wrongType = await t.server.fetch(
      '/v1/auth/register',
      json({ username: 42, password: PASSWORD }),
    );
    expectError(wrongType, 400, 'INVALID_ARGUMENT');
    expect(wrongType.body.error.message).toContain('username');
    expect(wrongType.body.error.field).toBe('username');

    const missing = await t.server.fetch('/v1/auth/register', json({ username: 'someone' }));
    expectError(missing, 400, 'INVALID_ARGUMENT');
    expect(missing.body.error.message).toContain('password');

    expectError(await t.server.fetch('/v1/auth/login', json([])), 400, 'INVALID_ARGUMENT');
    expectError(
      await t.server.fetch('/v1/auth/refresh', json({ refresh_token: null })),
      400,
      'INVALID_ARGUMENT',
    );
    expectError(
      await t.server.fetch('/v1/auth/register', json({ username: 'shortpw', password: 'short' })),
      400,
      'INVALID_ARGUMENT',
    );

    const auth = await signedIn();
    const bearer = { authorization: `Bearer ${auth.access_token}` };
    const patch = await t.server.fetch('/v1/users/me', {
      ...json({ nickname: 5 }, bearer),
      method: 'PATCH',
    });
    expectError(patch, 400, 'INVALID_ARGUMENT');
    const unknownField = await t.server.fetch('/v1/users/me', {
      ...json({ is_guest: true }, bearer),
      method: 'PATCH',
    });
    expectError(unknownField, 400, 'INVALID_ARGUMENT');
    const search = await t.server.fetch('/v1/users?query=ab&limit=1000', { headers: bearer });
    expectError(search, 400, 'INVALID_ARGUMENT');
    const noQuery = await t.server.fetch('/v1/users', { headers: bearer });
    expectError(noQuery, 400, 'INVALID_ARGUMENT');

    // NUL and other control characters never reach the database (PostgreSQL refuses NUL in text).
    const nulBio = await t.server.fetch('/v1/users/me', {
      ...json({ bio: 'a\u0000b' }, bearer),
      method: 'PATCH',
    });
    expectError(nulBio, 400, 'INVALID_ARGUMENT');
    const nulNick = await t.server.fetch('/v1/users/me', {
      ...json({ nickname: 'a\u0007' }, bearer),
      method: 'PATCH',
    });
    expectError(nulNick, 400, 'INVALID_ARGUMENT');
    expectError(
      await t.server.fetch('/v1/users/%00', { headers: bearer }),
      400,
      'INVALID_ARGUMENT',
    );
    expectError(
      await t.server.fetch(`/v1/users/${'x'.repeat(65)}`, { headers: bearer }),
      400,
      'INVALID_ARGUMENT',
    );
    const nulSession = await t.server.fetch('/v1/auth/sessions/%00', {
      method: 'DELETE',
      headers: bearer,
    });
    expectError(nulSession, 400, 'INVALID_ARGUMENT');
    const nulRefresh = await t.server.fetch('/v1/auth/refresh', json({ refresh_token: 'a\u0000' }));
    expectError(nulRefresh, 401, 'UNAUTHENTICATED');
    const multiline = await t.server.fetch('/v1/users/me', {
      ...json({ bio: 'line 1\nline 2\tok' }, bearer),
      method: 'PATCH',
    });
    expect(multiline.status).toBe(200);
  });

  it('refuses an 8 MiB body with 413 and keeps serving', async () => {
    const big = JSON.stringify({ username: 'big', password: 'x'.repeat(8 * 1024 * 1024) });
    const res = await t.server.fetch('/v1/auth/register', json(big));
    expectError(res, 413, 'RESOURCE_EXHAUSTED');
    expect((await t.server.fetch('/health')).status).toBe(200);
  });

  it('answers a body that is not JSON with 415', async () => {
    const res = await t.server.fetch('/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'username=a&password=b',
    });
    expectError(res, 415, 'INVALID_ARGUMENT');
  });

  it('refuses SQL-looking and unicode usernames, and the users table is intact', async () => {
    const bad = [
      "alice'; DROP TABLE users;--",
      'x" OR "1"="1',
      "' OR 1=1 --",
      'ålice',
      '用户名',
      'admin\u0000',
      'bob\u200b',
      'nul\u0000byte',
      'ab',
      'a'.repeat(33),
      'with space',
    ];
    for (const username of bad) {
      const res = await t.server.fetch('/v1/auth/register', json({ username, password: PASSWORD }));
      expectError(res, 400, 'INVALID_ARGUMENT');
      const login = await t.server.fetch('/v1/auth/login', json({ username, password: PASSWORD }));
      expect([400, 401]).toContain(login.status);
    }
    const auth = await signedIn();
    const search = await t.server.fetch(`/v1/users?query=${encodeURIComponent("' OR 1=1 --")}`, {
      headers: { authorization: `Bearer ${auth.access_token}` },
    });
    expectError(search, 400, 'INVALID_ARGUMENT');
    const me = await t.server.fetch('/v1/users/me', {
      headers: { authorization: `Bearer ${auth.access_token}` },
    });
    expect(me.status).toBe(200);
  });

  it('refuses missing, malformed, forged, expired and revoked access tokens with 401', async () => {
    const auth = await signedIn();
    const me = (authorization?: string) =>
      t.server.fetch(
        '/v1/users/me',
        authorization === undefined ? {} : { headers: { authorization } },
      );

    expectError(await me(), 401, 'UNAUTHENTICATED');
    expectError(await me('Basic abc'), 401, 'UNAUTHENTICATED');
    expectError(await me('Bearer not.a.jwt'), 401, 'UNAUTHENTICATED');
    expectError(await me(`Bearer ${auth.access_token.slice(0, -4)}AAAA`), 401, 'UNAUTHENTICATED');

    // Same claims, signed with a key that is not the server's.
    const { privateKey } = generateKeyPairSync('ed25519');
    const claims = { sid: 'x', guest: false };
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' })
      .setSubject(auth.user.user_id)
      .setIssuer('parley')
      .setAudience('parley')
      .setExpirationTime('10m')
      .sign(privateKey);
    expectError(await me(`Bearer ${forged}`), 401, 'UNAUTHENTICATED');

    // "alg: none" is never accepted.
    const [, payload] = auth.access_token.split('.');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${payload}.`;
    expectError(await me(`Bearer ${unsigned}`), 401, 'UNAUTHENTICATED');

    // Signed with the server's own key, but expired.
    const serverKey = createPrivateKey(
      readFileSync(join(t.storage.dataDir, SIGNING_KEY_FILE), 'utf8'),
    );
    const verified = await t.server.fetch(
      '/v1/auth/verify',
      json({ access_token: auth.access_token }),
    );
    const expired = await new SignJWT({ sid: verified.body.session_id, guest: false })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' })
      .setSubject(auth.user.user_id)
      .setIssuer('parley')
      .setAudience('parley')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(serverKey);
    const expiredRes = await me(`Bearer ${expired}`);
    expectError(expiredRes, 401, 'UNAUTHENTICATED');
    expect(expiredRes.body.error.message).toContain('expired');

    // The same key and claims, not expired: accepted, so the refusals above are about the token.
    const fresh = await new SignJWT({ sid: verified.body.session_id, guest: false })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' })
      .setSubject(auth.user.user_id)
      .setIssuer('parley')
      .setAudience('parley')
      .setExpirationTime('5m')
      .sign(serverKey);
    expect((await me(`Bearer ${fresh}`)).status).toBe(200);

    // Revoked: the session was logged out.
    const logout = await t.server.fetch('/v1/auth/logout', {
      method: 'POST',
      headers: { authorization: `Bearer ${auth.access_token}` },
    });
    expect(logout.status).toBe(204);
    expectError(await me(`Bearer ${auth.access_token}`), 401, 'UNAUTHENTICATED');
    expectError(await me(`Bearer ${fresh}`), 401, 'UNAUTHENTICATED');
    expectError(
      await t.server.fetch('/v1/auth/refresh', json({ refresh_token: auth.refresh_token })),
      401,
      'UNAUTHENTICATED',
    );
    expectError(
      await t.server.fetch('/v1/auth/refresh', json({ refresh_token: 'made-up' })),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('answers headers too large with 431, in the IM envelope on /api/im', async () => {
    const huge = { authorization: `Bearer ${'x'.repeat(40_000)}` };
    expectError(await t.server.fetch('/v1/users/me', { headers: huge }), 431, 'INVALID_ARGUMENT');
    const im = await t.server.fetch('/api/im/messages?limit=5', { headers: huge });
    expect(im.status).toBe(431);
    expect(im.body).toEqual({
      data: null,
      status_code: 431,
      status_msg: 'The request headers are larger than Parley accepts.',
    });
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    expectError(await t.server.fetch('/v1/nothing-here'), 404, 'NOT_FOUND');
  });

  it('uses the trace id of a W3C traceparent and makes one otherwise', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await t.server.fetch('/v1/users/me', {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.body.error.trace_id).toBe(traceId);
    expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const bad = await t.server.fetch('/v1/users/me', { headers: { traceparent: 'garbage' } });
    expect(bad.body.error.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(bad.body.error.trace_id).not.toBe(traceId);
  });

  it('is still healthy after all of the above', async () => {
    const res = await t.server.fetch('/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('healthy');
  });
});
