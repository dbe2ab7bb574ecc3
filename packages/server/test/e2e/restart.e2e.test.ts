import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, startTestServer, testStorage, type TestStorage } from '../support/test-server.js';

const PASSWORD = 'correct horse battery';

describe.each(ENGINES)('a restart on the same storage (%s)', (engine) => {
  let storage: TestStorage;

  beforeAll(async () => {
    storage = await testStorage(engine);
  });
  afterAll(() => storage.dispose());

  it('keeps accounts, sessions, access tokens and refresh tokens', async () => {
    const before = await startTestServer(storage);
    const auth = await before.client().register({ username: 'survivor', password: PASSWORD });
    await before.client(auth.access_token).updateMe({ bio: 'still here' });
    const loggedOut = await before.client().login({
      username: 'survivor',
      password: PASSWORD,
      device_id: 'tablet',
    });
    await before.client(loggedOut.access_token).logout();
    await before.stop();

    const after = await startTestServer(storage);
    try {
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
    } finally {
      await after.stop();
    }
  });
});
