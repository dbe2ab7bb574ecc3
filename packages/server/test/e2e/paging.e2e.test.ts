import { describe, expect, it } from 'vitest';
import { e2eServer } from '../support/e2e-fixture.js';
import { addConversations } from '../support/many-conversations.js';
import { ENGINES } from '../support/test-server.js';

/** Far above a 1 MiB frame and the default 1 MiB send queue when sent whole. */
const LARGE_MESSAGES = 30;
const LARGE_TEXT = 'x'.repeat(60 * 1024);
const CONVERSATIONS = 3_000;

describe.each(ENGINES)('replies bounded by size (%s)', (engine) => {
  const t = e2eServer(engine);
  const { account, connect, get } = t;

  it('pages a history of large messages by bytes, both ways, and keeps the connection', async () => {
    const alice = await account('big_a');
    const bob = await account('big_b');
    const a = await connect(alice);
    let conversationId = '';
    for (let i = 0; i < LARGE_MESSAGES; i++) {
      const sent = await a.call('message.send', {
        to_user_id: bob.user.user_id,
        client_msg_id: `big${i}`,
        type: 'text',
        content: { text: `${i} ${LARGE_TEXT}` },
      });
      conversationId = sent.message.conversation_id;
    }
    const b = await connect(bob);
    const seqs = (page: { messages: { seq: number }[] }) => page.messages.map((m) => m.seq);

    // Back from the newest end with before_seq, as a client scrolling up does.
    const back: number[] = [];
    let page = await b.call('message.history', { conversation_id: conversationId });
    expect(page.has_more).toBe(true);
    expect(page.messages.length).toBeLessThan(LARGE_MESSAGES);
    expect(page.messages.at(-1).seq).toBe(LARGE_MESSAGES);
    back.unshift(...seqs(page));
    while (page.has_more) {
      page = await b.call('message.history', {
        conversation_id: conversationId,
        before_seq: back[0],
        limit: 100,
      });
      back.unshift(...seqs(page));
    }
    expect(back).toEqual(Array.from({ length: LARGE_MESSAGES }, (_, i) => i + 1));

    // Forward with after_seq, as a catch-up does; the text arrives whole.
    const forward: number[] = [];
    let after = 0;
    do {
      page = await b.call('message.history', {
        conversation_id: conversationId,
        after_seq: after,
        limit: 100,
      });
      forward.push(...seqs(page));
      expect(page.messages[0].content.text).toBe(`${after} ${LARGE_TEXT}`);
      after = page.messages.at(-1).seq;
    } while (page.has_more);
    expect(forward).toEqual(back);

    // REST pages the same way.
    const rest = await get(`/v1/conversations/${conversationId}/messages?limit=100`, bob);
    expect(rest.status).toBe(200);
    expect(rest.body.has_more).toBe(true);
    expect(rest.body.messages.length).toBeLessThan(LARGE_MESSAGES);
    expect(await b.call('ping')).toEqual({});

    // The change log pages by bytes too: every edit carries its 60 KiB message.
    for (let seq = 1; seq <= LARGE_MESSAGES; seq++) {
      await a.call('message.edit', {
        conversation_id: conversationId,
        seq,
        content: { text: `edited ${seq} ${LARGE_TEXT}` },
      });
    }
    const changeSeqs: number[] = [];
    let changes;
    do {
      changes = await b.call('message.changes', {
        conversation_id: conversationId,
        after_change_seq: changeSeqs.at(-1) ?? 0,
        limit: 100,
      });
      expect(changes.changes.length).toBeLessThan(LARGE_MESSAGES);
      changeSeqs.push(...changes.changes.map((c: { change_seq: number }) => c.change_seq));
    } while (changes.has_more);
    expect(changeSeqs).toEqual(Array.from({ length: LARGE_MESSAGES }, (_, i) => i + 1));
    expect(await b.call('ping')).toEqual({});
  });

  it('pages conversation.list over WebSocket and REST: every conversation once, in order', async () => {
    const carol = await account('many');
    const created = await addConversations(
      t.server.parley.store,
      carol.user.user_id,
      CONVERSATIONS,
      'c',
    );
    // The ten first get a 60 KiB message each: they lead the list, and fill a page by bytes.
    const large = created.slice(0, 10);
    await t.server.parley.store.messages.appendBatch(
      large.map((conversationId, i) => ({
        id: `${engine}-large-${i}`,
        conversationId,
        senderId: carol.user.user_id,
        clientMsgId: `large-${i}`,
        type: 'text',
        content: JSON.stringify({ text: LARGE_TEXT }),
        status: 'sent',
        createdAt: Date.now() + 3_600_000 + i,
      })),
    );
    const c = await connect(carol);

    const viaWs: { conversation_id: string; name: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await c.call(
        'conversation.list',
        cursor === null ? { limit: 200 } : { cursor, limit: 200 },
      );
      expect(page.conversations.length).toBeGreaterThan(0);
      if (pages === 0) expect(page.conversations.length).toBeLessThan(10);
      viaWs.push(...page.conversations);
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null);
    // Newest activity first, ties by id: the ten with a message, then the reverse of creation
    // in groups of three.
    const expected = [...large].reverse();
    expected.push(
      ...created.slice(10).sort((x, y) => {
        const byTime = Math.floor(Number(y.slice(-5)) / 3) - Math.floor(Number(x.slice(-5)) / 3);
        return byTime !== 0 ? byTime : x < y ? -1 : 1;
      }),
    );
    // Anything else the user is in (the lobby) has older activity: it comes last.
    const ids = viaWs.map((v) => v.conversation_id);
    expect(ids.slice(0, CONVERSATIONS)).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBeGreaterThan(CONVERSATIONS / 200);
    expect(await c.call('ping')).toEqual({});

    const viaRest: string[] = [];
    cursor = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const response = await get(`/v1/conversations?limit=200${query}`, carol);
      expect(response.status).toBe(200);
      viaRest.push(
        ...response.body.conversations.map((v: { conversation_id: string }) => v.conversation_id),
      );
      cursor = response.body.next_cursor;
    } while (cursor !== null);
    expect(viaRest).toEqual(ids);

    const first = await get('/v1/conversations', carol);
    expect(first.body.conversations.length).toBeLessThan(10);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const bad = await get('/v1/conversations?cursor=nope', carol);
    expect(bad.status).toBe(400);
  });
});
