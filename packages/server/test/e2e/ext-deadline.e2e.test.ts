// The completion deadline of async extension messages (docs/extensions.md): a message still
// pending past PARLEY_EXT_ASYNC_DEADLINE fails with a reason, its members told by
// message.updated; one completed in time is left alone.
import { MsgStatus } from '@parley/proto';
import { describe, expect, it } from 'vitest';
import { DEADLINE_REASON } from '../../src/app/messaging/extension-jobs.js';
import { e2eServersPerTest } from '../support/e2e-fixture.js';
import { callbackOf, complete, startTestExtension } from '../support/test-extension.js';
import { eventually } from '../support/ws-test-client.js';

describe('the completion deadline of async extension messages', () => {
  const { start, onClose } = e2eServersPerTest();

  it('fails a message still pending at its deadline, and leaves a completed one alone', async () => {
    const ext = await startTestExtension();
    onClose(() => ext.close());
    const t = await start('sqlite', {
      ext: {
        services: { 'ai.slow': [{ instance_id: 'slow-1', addr: ext.addr, mode: 'async' }] },
        types: { 'ai.slow': { timeout_ms: 10_000 } },
      },
      ext_async_deadline: 2,
    });
    const a = await t.account('alice');
    const b = await t.account('bob');
    const alice = await t.connect(a);
    const bob = await t.connect(b);
    const send = (clientMsgId: string) =>
      alice.call('message.send', {
        to_user_id: b.user.user_id,
        client_msg_id: clientMsgId,
        type: 'ai.slow',
        content: { prompt: clientMsgId },
      });
    const answered = await send('answered');
    const forgotten = await send('forgotten');
    await eventually(() => ext.calls.length === 2);
    const first = ext.calls.find((c) => c.msgId === answered.message.message_id);
    const { addr, token } = callbackOf(first!);
    await complete(addr, { msgId: first!.msgId, status: MsgStatus.MSG_SUCCESS }, token);

    const failed = await bob.next(
      (f) => f.event === 'message.updated' && f.data.message.status === 'failed',
      10_000,
    );
    expect(failed.data).toMatchObject({
      message: { message_id: forgotten.message.message_id, status: 'failed' },
      reason: DEADLINE_REASON,
    });
    const history = await bob.call('message.history', {
      conversation_id: answered.message.conversation_id,
    });
    expect(history.messages.map((m: { status: string }) => m.status)).toEqual(['sent', 'failed']);
    // A result after the deadline is refused: the message is settled.
    const late = ext.calls.find((c) => c.msgId === forgotten.message.message_id)!;
    const lateCallback = callbackOf(late);
    await expect(
      complete(
        lateCallback.addr,
        { msgId: late.msgId, status: MsgStatus.MSG_SUCCESS },
        lateCallback.token,
      ),
    ).rejects.toThrow(/not pending/);
  });
});
