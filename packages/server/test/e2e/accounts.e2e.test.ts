import { ParleyError } from '@parley/client';
import { describe, expect, it } from 'vitest';
import { e2eServer, PASSWORD } from '../support/e2e-fixture.js';
import { ENGINES } from '../support/test-server.js';

async function failure(promise: Promise<unknown>): Promise<ParleyError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ParleyError);
  return err as ParleyError;
}

describe.each(ENGINES)('accounts and sessions over HTTP (%s)', (engine) => {
  const t = e2eServer(engine);
  const name = (base: string) => `${base}${t.next()}`;

  it('registers, answers 201 with the user and tokens, and refuses a taken name in any case', async () => {
    const username = name('Alice');
    const res = await t.server.fetch('/v1/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username,
        password: PASSWORD,
        nickname: 'Alice 🌸',
        device_id: 'web-1',
      }),
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      user: { username, nickname: 'Alice 🌸', avatar_url: '', is_guest: false },
      expires_in: 900,
      device_id: 'web-1',
    });
    expect(typeof res.body.user.user_id).toBe('string');
    expect(typeof res.body.user.created_at).toBe('number');
    expect(res.body.access_token.split('.')).toHaveLength(3);
    expect(res.body.refresh_token.length).toBeGreaterThan(30);

    const err = await failure(
      t.server.client().register({ username: username.toUpperCase(), password: PASSWORD }),
    );
    expect(err).toMatchObject({ code: 'ALREADY_EXISTS', status: 409 });
  });

  it('logs in with the right password only, in any case of the username', async () => {
    const username = name('bob');
    await t.server.client().register({ username, password: PASSWORD });
    const ok = await t.server
      .client()
      .login({ username: username.toUpperCase(), password: PASSWORD });
    expect(ok.user.username).toBe(username);
    const wrong = await failure(
      t.server.client().login({ username, password: 'not the password' }),
    );
    expect(wrong).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    const missing = await failure(
      t.server.client().login({ username: name('nobody'), password: PASSWORD }),
    );
    expect(missing.message).toBe(wrong.message);
  });

  it('signs a guest in with is_guest true', async () => {
    const res = await t.server.fetch('/v1/auth/guest', { method: 'POST' });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ is_guest: true });
    const me = await t.server.client(res.body.access_token).me();
    expect(me).toEqual(res.body.user);
    const named = await t.server.client().guest({ nickname: 'Visitor' });
    expect(named.user.nickname).toBe('Visitor');
  });

  it('rotates refresh tokens: the new pair works and the old refresh token stops working', async () => {
    const api = t.server.client();
    const first = await api.register({ username: name('carol'), password: PASSWORD });
    const second = await api.refresh(first.refresh_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.session_id).toBe(first.session_id);
    expect((await t.server.client(second.access_token).me()).username).toBe(first.user.username);
    const third = await api.refresh(second.refresh_token);
    expect(third.session_id).toBe(first.session_id);
  });

  it('refuses a reused refresh token and ends its session for every token of it', async () => {
    const api = t.server.client();
    const first = await api.register({ username: name('dave'), password: PASSWORD });
    const second = await api.refresh(first.refresh_token);

    const reuse = await failure(api.refresh(first.refresh_token));
    expect(reuse).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    // The session is dead: the rotated refresh token and its access token fail too.
    expect(await failure(api.refresh(second.refresh_token))).toMatchObject({ status: 401 });
    expect(await failure(t.server.client(second.access_token).me())).toMatchObject({ status: 401 });
    expect(await failure(t.server.client(first.access_token).me())).toMatchObject({ status: 401 });
  });

  it('gives one of several concurrent refreshes with the same token the new pair, and ends the session', async () => {
    const api = t.server.client();
    const first = await api.register({ username: name('dora'), password: PASSWORD });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => t.server.client().refresh(first.refresh_token)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const sessions = await failure(t.server.client(first.access_token).sessions());
    expect(sessions.status).toBe(401);
  });

  it('logs out: 204, then the refresh and access tokens of that session fail', async () => {
    const api = t.server.client();
    const auth = await api.register({ username: name('erin'), password: PASSWORD });
    const res = await t.server.fetch('/v1/auth/logout', {
      method: 'POST',
      headers: { authorization: `Bearer ${auth.access_token}` },
    });
    expect(res.status).toBe(204);
    expect(await failure(api.refresh(auth.refresh_token))).toMatchObject({ status: 401 });
    expect(await failure(t.server.client(auth.access_token).me())).toMatchObject({ status: 401 });
  });

  it('verifies tokens for other services', async () => {
    const auth = await t.server.client().register({ username: name('faye'), password: PASSWORD });
    const info = await t.server.client().verify(auth.access_token);
    expect(info).toMatchObject({
      valid: true,
      user_id: auth.user.user_id,
      session_id: auth.session_id,
      is_guest: false,
    });
    expect(info.expires_at).toBeGreaterThan(Date.now());
    expect(await failure(t.server.client().verify(`${auth.access_token}x`))).toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('keeps one session per device, lists them, and logs out another device', async () => {
    const username = name('gina');
    const phone1 = await t.server
      .client()
      .register({ username, password: PASSWORD, device_id: 'phone' });
    const laptop = await t.server
      .client()
      .login({ username, password: PASSWORD, device_id: 'laptop' });
    const phone2 = await t.server
      .client()
      .login({ username, password: PASSWORD, device_id: 'phone' });

    // A new login on the phone ended the phone's old session.
    expect(await failure(t.server.client(phone1.access_token).me())).toMatchObject({ status: 401 });
    const sessions = await t.server.client(laptop.access_token).sessions();
    expect(sessions.map((s) => [s.device_id, s.current]).sort()).toEqual([
      ['laptop', true],
      ['phone', false],
    ]);

    await t.server.client(laptop.access_token).revokeSession(phone2.session_id);
    expect(await failure(t.server.client(phone2.access_token).me())).toMatchObject({ status: 401 });
    expect(await failure(t.server.client().refresh(phone2.refresh_token))).toMatchObject({
      status: 401,
    });
    expect((await t.server.client(laptop.access_token).sessions()).map((s) => s.device_id)).toEqual(
      ['laptop'],
    );
  });

  it("answers 404 for a session that is not the caller's, and leaves it alone", async () => {
    const mine = await t.server.client().register({ username: name('hal'), password: PASSWORD });
    const theirs = await t.server.client().register({ username: name('ida'), password: PASSWORD });
    const err = await failure(t.server.client(mine.access_token).revokeSession(theirs.session_id));
    expect(err).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect((await t.server.client(theirs.access_token).me()).user_id).toBe(theirs.user.user_id);
  });

  it('reads and updates profiles', async () => {
    const auth = await t.server.client().register({ username: name('jack'), password: PASSWORD });
    const api = t.server.client(auth.access_token);
    expect(await api.me()).toEqual(auth.user);
    const updated = await api.updateMe({
      nickname: '  Jack 李  ',
      avatar_url: 'https://img.example/j.png',
      bio: 'hello',
    });
    expect(updated).toMatchObject({
      nickname: 'Jack 李',
      avatar_url: 'https://img.example/j.png',
      bio: 'hello',
    });
    const other = await t.server.client().register({ username: name('kim'), password: PASSWORD });
    expect(await t.server.client(other.access_token).user(auth.user.user_id)).toEqual(updated);
    expect(await failure(api.user('01NOSUCHUSER'))).toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
    });
    expect(await failure(api.updateMe({ avatar_url: 'javascript:alert(1)' }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(await failure(api.updateMe({ bio: 'x'.repeat(501) }))).toMatchObject({ status: 400 });
  });

  it('searches users by prefix, paged by cursor, without guests', async () => {
    const prefix = `srch${engine}${t.next()}`;
    const auth = await t.server.client().register({ username: `${prefix}_a`, password: PASSWORD });
    for (const suffix of ['B', 'c', 'd', 'e']) {
      await t.server.client().register({ username: `${prefix}_${suffix}`, password: PASSWORD });
    }
    await t.server.client().guest();
    const api = t.server.client(auth.access_token);
    const page1 = await api.searchUsers(prefix.toUpperCase(), { limit: 2 });
    expect(page1.users.map((u) => u.username)).toEqual([`${prefix}_a`, `${prefix}_B`]);
    expect(page1.next_cursor).not.toBeNull();
    const page2 = await api.searchUsers(prefix, { limit: 2, cursor: page1.next_cursor as string });
    expect(page2.users.map((u) => u.username)).toEqual([`${prefix}_c`, `${prefix}_d`]);
    const page3 = await api.searchUsers(prefix, { limit: 2, cursor: page2.next_cursor as string });
    expect(page3.users.map((u) => u.username)).toEqual([`${prefix}_e`]);
    expect(page3.next_cursor).toBeNull();
    expect((await api.searchUsers('guest-')).users).toEqual([]);
  });
});
