/**
 * Grants of BRIDGE.md over HTTP: who may grant a user an account and withdraw it, and what a
 * withdrawal does to the user's reads. Its effect on live subscriptions: bridge-live.e2e.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  ADMIN,
  createWorkerToken,
  grant,
  pushHttp,
  syncPayload,
  withdraw,
  workerMessage,
} from '../support/bridge-fixture.js';
import { e2eServer } from '../support/e2e-fixture.js';
import { ENGINES } from '../support/test-server.js';

describe.each(ENGINES)('bridge grants on %s', (engine) => {
  const e2e = e2eServer(engine, { admin_token: ADMIN });

  /** An account a worker token owns (it pushed for it), and a user the operator granted it. */
  async function seeded(accountId = `acc-${engine}-${e2e.next()}`) {
    const worker = await createWorkerToken(e2e.server);
    const pushed = await pushHttp(
      e2e.server,
      worker.token,
      syncPayload(accountId, 1, { messages: [workerMessage(accountId, 'm1', 'hello')] }),
    );
    expect(pushed.status).toBe(200);
    const reader = await e2e.account('reader');
    const granted = await grant(e2e.server, ADMIN, accountId, reader.user.user_id);
    expect(granted.body).toEqual({
      grant: { account_id: accountId, user_id: reader.user.user_id },
      created: true,
    });
    return { accountId, worker, reader };
  }

  it('lets the operator and the owning worker grant; nobody else', async () => {
    const { accountId, worker } = await seeded();
    const user = await e2e.account('granted');
    const other = await createWorkerToken(e2e.server, 'another');
    expect((await grant(e2e.server, other.token, accountId, user.user.user_id)).status).toBe(403);
    expect((await grant(e2e.server, user.access_token, accountId, user.user.user_id)).status).toBe(
      401,
    );
    expect((await grant(e2e.server, 'pwk_forged', accountId, user.user.user_id)).status).toBe(401);
    expect((await grant(e2e.server, ADMIN, accountId, 'no-such-user')).status).toBe(404);
    const byOwner = await grant(e2e.server, worker.token, accountId, user.user.user_id);
    expect([byOwner.status, byOwner.body]).toEqual([
      201,
      { grant: { account_id: accountId, user_id: user.user.user_id }, created: true },
    ]);
    expect((await grant(e2e.server, ADMIN, accountId, user.user.user_id)).status).toBe(200);
    expect((await e2e.get(`/api/im/messages?account_id=${accountId}`, user)).status).toBe(200);
  });

  it('withdraws a grant: reads refused at once, only the operator or owner may, once', async () => {
    const { accountId, worker, reader } = await seeded();
    const userId = reader.user.user_id;
    const bystander = await e2e.account('bystander');
    await grant(e2e.server, ADMIN, accountId, bystander.user.user_id);
    const read = (who: { access_token: string }) =>
      e2e.get(`/api/im/messages?account_id=${accountId}`, who);
    expect((await read(reader)).status).toBe(200);

    // Refused exactly as a grant is: the same status and error for the same bearer.
    const refusal = (res: { status: number; body: { error?: Record<string, unknown> } }) => {
      const { trace_id: _trace, ...error } = res.body.error ?? {};
      return { status: res.status, error };
    };
    const other = await createWorkerToken(e2e.server, 'another');
    for (const bearer of [other.token, reader.access_token, 'pwk_forged', '']) {
      const refused = refusal(await withdraw(e2e.server, bearer, accountId, userId));
      expect(refused).toEqual(refusal(await grant(e2e.server, bearer, accountId, userId)));
      expect([401, 403]).toContain(refused.status);
    }
    expect(refusal(await withdraw(e2e.server, other.token, accountId, userId))).toMatchObject({
      status: 403,
      error: { code: 'PERMISSION_DENIED' },
    });
    // Parameters are checked as a grant's are, before the bearer.
    const tooLong = 'a'.repeat(192);
    expect(refusal(await withdraw(e2e.server, ADMIN, tooLong, userId))).toEqual(
      refusal(await grant(e2e.server, ADMIN, tooLong, userId)),
    );
    expect(refusal(await withdraw(e2e.server, '', accountId, ''))).toMatchObject({
      status: 400,
      error: { code: 'INVALID_ARGUMENT', field: 'user_id' },
    });
    expect((await read(reader)).status).toBe(200);

    const byOwner = await withdraw(e2e.server, worker.token, accountId, userId);
    expect([byOwner.status, byOwner.body]).toEqual([
      200,
      { grant: { account_id: accountId, user_id: userId }, revoked: true },
    ]);
    const denied = await read(reader);
    expect([denied.status, denied.body]).toEqual([
      403,
      { data: null, status_code: 403, status_msg: expect.any(String) },
    ]);
    expect((await read(bystander)).status).toBe(200);
    const again = await withdraw(e2e.server, ADMIN, accountId, userId);
    expect([again.status, again.body]).toEqual([
      200,
      { grant: { account_id: accountId, user_id: userId }, revoked: false },
    ]);
    expect((await withdraw(e2e.server, ADMIN, accountId, 'no-such-user')).body.revoked).toBe(false);

    expect((await grant(e2e.server, ADMIN, accountId, userId)).body.created).toBe(true);
    expect((await read(reader)).status).toBe(200);
  });

  it('grants and withdraws an account id of the longest length a worker may push', async () => {
    // 191 characters, most of them three bytes in UTF-8 (nine once percent-encoded).
    const prefix = `acc-${engine}-${e2e.next()}-`;
    const { accountId, worker, reader } = await seeded(prefix.padEnd(191, '号'));
    expect(accountId).toHaveLength(191);
    const userId = reader.user.user_id;
    const read = () =>
      e2e.get(`/api/im/messages?account_id=${encodeURIComponent(accountId)}`, reader);
    expect((await read()).body.data.messages).toHaveLength(1);
    expect((await withdraw(e2e.server, worker.token, accountId, userId)).body).toEqual({
      grant: { account_id: accountId, user_id: userId },
      revoked: true,
    });
    expect((await read()).status).toBe(403);
    // One character more is longer than any id Parley accepts: 414, in the REST error shape.
    for (const answer of [
      await grant(e2e.server, ADMIN, `${accountId}x`, userId),
      await withdraw(e2e.server, ADMIN, `${accountId}x`, userId),
    ]) {
      expect([answer.status, answer.body.error]).toEqual([
        414,
        expect.objectContaining({
          code: 'INVALID_ARGUMENT',
          message: 'A path parameter is longer than 191 characters.',
        }),
      ]);
    }
  });
});
