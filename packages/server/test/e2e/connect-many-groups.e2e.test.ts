import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { e2eServer } from '../support/e2e-fixture.js';
import { ENGINES } from '../support/test-server.js';
const GROUPS = 2_500;

describe.each(ENGINES)('connecting while in thousands of groups (%s)', (engine) => {
  // Subscriptions are made a few hundred per event-loop turn: several turns here.
  const t = e2eServer(engine);

  it('sends ready first, then replies to requests made meanwhile, and delivers in every group', async () => {
    const { server } = t;
    const alice = await t.account('many_a');
    const bob = await t.account('many_b');
    const ids: string[] = [];
    await server.parley.store.transaction(async (tx) => {
      for (let i = 0; i < GROUPS; i++) {
        const id = `g_many${String(i).padStart(5, '0')}`;
        ids.push(id);
        await tx.conversations.ensure({ id, type: 'world', name: id, createdAt: Date.now() }, [
          alice.user.user_id,
          bob.user.user_id,
        ]);
      }
    });

    // A client that asks before ready: the answer must still come after it.
    const url = `${server.url.replace(/^http/, 'ws')}/v1/ws`;
    const raw = new WebSocket(url, { headers: { authorization: `Bearer ${alice.access_token}` } });
    const frames: { event?: string; id?: string; ok?: boolean }[] = [];
    raw.on('message', (data) => frames.push(JSON.parse(data.toString())));
    await new Promise((resolve) => raw.once('open', resolve));
    raw.send(JSON.stringify({ id: 'early', op: 'ping', data: {} }));

    const bobWs = await t.connect(bob);
    while (!frames.some((f) => f.id === 'early')) await new Promise((r) => setTimeout(r, 10));
    expect(frames[0]?.event).toBe('ready');

    const last = ids.at(-1) as string;
    await bobWs.call('message.send', {
      conversation_id: last,
      client_msg_id: 'to-the-last',
      type: 'text',
      content: { text: 'hello from the last group' },
    });
    while (!frames.some((f) => f.event === 'message.new'))
      await new Promise((r) => setTimeout(r, 10));
    raw.close();
    bobWs.close();
  });
});
