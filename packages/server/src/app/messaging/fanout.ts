import type { ConversationType } from '../../domain/conversation.js';
import { singleConversationMembers } from '../../domain/conversation.js';
import { conversationTopic, userTopic, type Bus } from '../../ports/bus.js';
import { encodeEvent } from '../../protocol/ws-frames.js';

/** Who must not get an event: the connection (or every connection of the user) that caused it. */
export interface Exclusion {
  readonly connectionId?: string | undefined;
  readonly userId?: string | undefined;
}

/**
 * Publishes a conversation's events. The frame is encoded once; single conversations go to
 * the two users' topics, group and world conversations to the conversation's topic, where
 * only online subscribers exist: no work here grows with offline members.
 */
export class Fanout {
  readonly #bus: Bus;

  constructor(bus: Bus) {
    this.#bus = bus;
  }

  toConversation(
    conversation: { readonly id: string; readonly type: ConversationType },
    event: string,
    data: unknown,
    except: Exclusion = {},
  ): void {
    const message = {
      frame: encodeEvent(event, data),
      ...(except.connectionId !== undefined && { exceptConnection: except.connectionId }),
      ...(except.userId !== undefined && { exceptUser: except.userId }),
    };
    if (conversation.type === 'single') {
      for (const userId of singleConversationMembers(conversation.id) ?? []) {
        this.#bus.publish(userTopic(userId), message);
      }
    } else {
      this.#bus.publish(conversationTopic(conversation.id), message);
    }
  }

  toUser(userId: string, event: string, data: unknown): void {
    this.#bus.publish(userTopic(userId), { frame: encodeEvent(event, data) });
  }

  /** The same event to many users, encoded once. */
  toUsers(userIds: readonly string[], event: string, data: unknown): void {
    if (userIds.length === 0) return;
    const frame = encodeEvent(event, data);
    for (const userId of userIds) this.#bus.publish(userTopic(userId), { frame });
  }
}
