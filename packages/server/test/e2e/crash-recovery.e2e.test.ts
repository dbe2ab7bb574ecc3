import { ParleyHttpClient } from '@parley/client';
import { describe, expect, it } from 'vitest';
import { cliServer } from '../support/cli-server.js';
import { e2eServersPerTest, PASSWORD } from '../support/e2e-fixture.js';
import { ENGINES, testStorage } from '../support/test-server.js';
import { WsTestClient } from '../support/ws-test-client.js';

describe.each(ENGINES)('a server killed with SIGKILL mid-traffic (%s)', (engine) => {
  const { onClose } = e2eServersPerTest();

  it('has every acknowledged message after a restart, and clients catch up by seq', async () => {
    const storage = await testStorage(engine);
    onClose(() => storage.dispose());
    const { url, start } = await cliServer(storage, onClose);

    let server = await start();
    const http = new ParleyHttpClient({ baseUrl: url });
    const alice = await http.register({ username: 'sender', password: PASSWORD });
    const bob = await http.register({ username: 'receiver', password: PASSWORD });
    const senders = await Promise.all(
      [0, 1, 2].map(() => WsTestClient.connect(url, alice.access_token)),
    );
    const receiver = await WsTestClient.connect(url, bob.access_token);

    // Each sender keeps 10 sends in flight until the server dies.
    const acked = new Map<string, number>();
    let next = 0;
    const pump = async (client: WsTestClient) => {
      for (;;) {
        const clientMsgId = `k${next++}`;
        const reply = await client
          .request('message.send', {
            to_user_id: bob.user.user_id,
            client_msg_id: clientMsgId,
            type: 'text',
            content: { text: clientMsgId },
          })
          .catch(() => undefined);
        if (reply?.ok !== true) return;
        acked.set(clientMsgId, reply.data.message.seq);
      }
    };
    const pumps = senders.flatMap((client) => Array.from({ length: 10 }, () => pump(client)));
    while (acked.size < 300) await new Promise((r) => setTimeout(r, 5));
    server.signal('SIGKILL');
    await server.exited;
    const receivedLive = receiver.events('message.new').map((f) => f.data.message.seq as number);
    for (const s of senders) s.close();
    receiver.close();
    await Promise.race([Promise.all(pumps), new Promise((r) => setTimeout(r, 2_000))]);
    expect(acked.size).toBeGreaterThanOrEqual(300);

    server = await start();
    // The receiver comes back and catches up by seq from the last one it saw live.
    const back = await WsTestClient.connect(url, bob.access_token);
    const { conversations } = await back.call('conversation.list');
    const convo = conversations[0];
    const lastLive = Math.max(0, ...receivedLive);
    const caughtUp: { seq: number; client_msg_id: string }[] = [];
    let after = lastLive;
    for (;;) {
      const page = await back.call('message.history', {
        conversation_id: convo.conversation_id,
        after_seq: after,
        limit: 100,
      });
      caughtUp.push(...page.messages);
      after = caughtUp.at(-1)?.seq ?? after;
      if (!page.has_more) break;
    }
    const all = [...new Set([...receivedLive, ...caughtUp.map((m) => m.seq)])].sort(
      (x, y) => x - y,
    );
    // Gap-free 1..max_seq, and every acknowledged message is there under its acknowledged seq.
    expect(all).toEqual(Array.from({ length: convo.max_seq }, (_, i) => i + 1));
    const stored = new Map<number, string>();
    let cursor = 0;
    for (;;) {
      const page = await back.call('message.history', {
        conversation_id: convo.conversation_id,
        after_seq: cursor,
        limit: 100,
      });
      for (const m of page.messages) stored.set(m.seq, m.client_msg_id);
      cursor = page.messages.at(-1)?.seq ?? cursor;
      if (!page.has_more) break;
    }
    for (const [clientMsgId, seq] of acked) expect(stored.get(seq)).toBe(clientMsgId);
    back.close();
    server.signal('SIGTERM');
    await server.exited;
  });
});
