import { ParleyClient, type CaughtUpData, type Message } from '@parley/client';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { e2eServer } from '../support/e2e-fixture.js';
import { addConversations } from '../support/many-conversations.js';
import { ENGINES } from '../support/test-server.js';
import { eventually } from '../support/ws-test-client.js';

/** The SDK's sockets, kept so that a test can cut one as a network failure would. */
const sockets: WebSocket[] = [];
class TrackedWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    sockets.push(this);
  }
}
const WS = TrackedWebSocket as unknown as ConstructorParameters<
  typeof ParleyClient
>[0]['WebSocket'];

describe.each(ENGINES)('the SDK catching up in thousands of conversations (%s)', (engine) => {
  const t = e2eServer(engine);

  it('walks the whole list and fetches what was missed in its oldest conversation', async () => {
    const { server } = t;
    const alice = await t.account('sdk_sender');
    const bob = await t.account('sdk_member');
    const b = new ParleyClient({
      url: server.url,
      token: bob.access_token,
      WebSocket: WS,
      reconnect: { initialDelayMs: 1_000, maxDelayMs: 1_000 },
    });
    t.onClose(() => b.close());
    await b.connect();
    const seen: Message[] = [];
    b.on('message.new', ({ message }) => seen.push(message));
    const caughtUp: CaughtUpData[] = [];
    b.on('caught_up', (data) => caughtUp.push(data));

    const http = server.client(alice.access_token);
    const { conversation } = await http.request<{ conversation: { conversation_id: string } }>(
      'POST',
      '/v1/conversations',
      { user_id: bob.user.user_id },
    );
    const path = `/v1/conversations/${conversation.conversation_id}/messages`;
    const post = (i: number) =>
      http.request('POST', path, {
        client_msg_id: `m${i}`,
        type: 'text',
        content: { text: `${i}` },
      });
    await post(1);
    await eventually(() => seen.length === 1);

    // Bob is in thousands of conversations with newer activity: the one he is about to miss
    // messages in is the last of his list. His connection drops; Alice sends meanwhile.
    await addConversations(server.parley.store, bob.user.user_id, 3_000, 'sdk');
    sockets.at(-1)?.terminate();
    for (let i = 2; i <= 6; i++) await post(i);

    await eventually(() => caughtUp.length > 0, 60_000);
    expect(seen.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const listed = caughtUp[0]?.conversations.map((c) => c.conversation_id) ?? [];
    expect(listed).toHaveLength(3_001);
    expect(new Set(listed).size).toBe(3_001);
    expect(listed.at(-1)).toBe(conversation.conversation_id);
  });
});
