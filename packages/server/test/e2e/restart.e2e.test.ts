import { describe, expect, it } from 'vitest';
import { e2eServersPerTest, PASSWORD } from '../support/e2e-fixture.js';
import { ENGINES } from '../support/test-server.js';

describe.each(ENGINES)('a restart on the same storage (%s)', (engine) => {
  const { start, startAgain } = e2eServersPerTest();

  it('keeps accounts, sessions, access tokens and refresh tokens', async () => {
    const first = await start(engine);
    const before = first.server;
    const auth = await before.client().register({ username: 'survivor', password: PASSWORD });
    await before.client(auth.access_token).updateMe({ bio: 'still here' });
    const loggedOut = await before.client().login({
      username: 'survivor',
      password: PASSWORD,
      device_id: 'tablet',
    });
    await before.client(loggedOut.access_token).logout();
    await before.stop();

    const after = (await startAgain(first)).server;
    // The access token from before the restart still verifies: the signing key was kept.
    const me = await after.client(auth.access_token).me();
    expect(me).toMatchObject({ user_id: auth.user.user_id, bio: 'still here' });
    const rotated = await after.client().refresh(auth.refresh_token);
    expect(rotated.session_id).toBe(auth.session_id);
    const login = await after.client().login({ username: 'SURVIVOR', password: PASSWORD });
    expect(login.user.user_id).toBe(auth.user.user_id);
    // A logout before the restart still holds after it.
    const revoked = await after.fetch('/v1/users/me', {
      headers: { authorization: `Bearer ${loggedOut.access_token}` },
    });
    expect(revoked.status).toBe(401);
  });
});
