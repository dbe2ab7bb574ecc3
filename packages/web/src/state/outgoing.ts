import type { SendTarget } from '@parley/client';
import { describeError } from '../api/session.js';
import type { ChatStore } from './chat-store.js';
import type { ShownMessage } from './thread.js';

/**
 * Sends one message through the SDK's outbox. It shows at once as pending (it waits there
 * while offline, and is retried with the same client_msg_id), then as sent, or as failed with
 * the reason and a way to retry.
 */
export function sendMessage(
  store: ChatStore,
  input: { id: string; type: string; content: Record<string, unknown>; clientMsgId: string },
): void {
  const { id, type, content, clientMsgId } = input;
  const local: ShownMessage = {
    message_id: clientMsgId,
    conversation_id: id,
    seq: Number.MAX_SAFE_INTEGER,
    sender_id: store.me.user_id,
    client_msg_id: clientMsgId,
    type,
    content,
    status: 'pending',
    created_at: Date.now(),
    edited_at: null,
    local: 'pending',
  };
  store.setUnsent(id, (unsent) => [
    ...unsent.filter((m) => m.client_msg_id !== clientMsgId),
    local,
  ]);
  const target: SendTarget = { conversation_id: id };
  store.client.send({ ...target, type, content, client_msg_id: clientMsgId }).then(
    (message) => {
      store.setUnsent(id, (unsent) => unsent.filter((m) => m.client_msg_id !== clientMsgId));
      store.applyMessage(message);
      // What an extension generated with it (a red packet's notice) goes to the sender's
      // other connections, not this one: read it from history.
      if (type !== 'text') void store.fetchAfter(id, message.seq);
    },
    (error: unknown) => {
      const failed = { ...local, local: 'failed' as const, error: describeError(error) };
      store.setUnsent(id, (unsent) =>
        unsent.map((m) => (m.client_msg_id === clientMsgId ? failed : m)),
      );
    },
  );
}
