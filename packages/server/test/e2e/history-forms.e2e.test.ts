import { describe, expect, it } from 'vitest';
import { e2eServer } from '../support/e2e-fixture.js';
import { ENGINES } from '../support/test-server.js';

/**
 * The WebSocket gateway writes history pages from the stored JSON (no parse and re-encode);
 * REST builds them as objects. Both must say exactly the same thing.
 */
describe.each(ENGINES)('history over WebSocket and REST (%s)', (engine) => {
  const { account, get, connect } = e2eServer(engine);

  it('gives the same page both ways, edits, recalls and awkward text included', async () => {
    const alice = await account('hist_a');
    const bob = await account('hist_b');
    const a = await connect(alice);
    const contents: [string, Record<string, unknown>][] = [
      ['text', { text: 'plain' }],
      ['text', { text: 'é "quoted" \\ back\nslash ✓ 😀 \u2028 </script>' }],
      ['image', { url: 'https://example.com/a.png', width: 640, height: 480 }],
      ['location', { latitude: 52.52, longitude: 13.405, name: 'Berlin' }],
      ['text', { text: 'to be edited' }],
      ['text', { text: 'to be recalled' }],
    ];
    let conversationId = '';
    for (const [i, [type, content]] of contents.entries()) {
      const sent = await a.call('message.send', {
        to_user_id: bob.user.user_id,
        client_msg_id: `h${i}`,
        type,
        content,
      });
      conversationId = sent.message.conversation_id;
    }
    await a.call('message.edit', {
      conversation_id: conversationId,
      seq: 5,
      content: { text: 'edited ✓' },
    });
    await a.call('message.recall', { conversation_id: conversationId, seq: 6 });

    for (const query of [{}, { after_seq: 1, limit: 3 }, { before_seq: 6, limit: 2 }]) {
      const ws = await a.call('message.history', { conversation_id: conversationId, ...query });
      const search = new URLSearchParams(
        Object.entries(query).map(([k, v]) => [k, String(v)]),
      ).toString();
      const rest = await get(
        `/v1/conversations/${conversationId}/messages${search === '' ? '' : `?${search}`}`,
        alice,
      );
      expect(rest.status).toBe(200);
      expect(ws).toEqual(rest.body);
    }
    const all = await a.call('message.history', { conversation_id: conversationId });
    expect(all.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(all.messages[1].content).toEqual(contents[1]?.[1]);
    expect(all.messages[4]).toMatchObject({ content: { text: 'edited ✓' } });
    expect(all.messages[4].edited_at).toEqual(expect.any(Number));
    expect(all.messages[5].status).toBe('recalled');
  });
});
