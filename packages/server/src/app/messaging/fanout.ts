import type { ConversationType } from '../../domain/conversation.js';
import { singleConversationMembers } from '../../domain/conversation.js';
import { conversationTopic, userTopic, type Bus } from '../../ports/bus.js';
import { encodeEvent } from '../../protocol/ws-frames.js';
import type { LargeGroupFanout } from '../cluster/large-group-fanout.js';

/** Who must not get an event: the connection (or every connection of the user) that caused it. */
export interface Exclusion {
  readonly connectionId?: string | undefined;
  /** Whose connection `connectionId` is, when known. */
  readonly connectionUserId?: string | undefined;
  readonly userId?: string | undefined;
}

/**
 * Publishes a conversation's events. The frame is encoded once; single conversations go to
 * the two users' topics, group and world conversations to the conversation's topic, where
 * only online subscribers exist: no work here grows with offline members. In the cluster
 * shape, groups over a threshold go to the workers instead (LargeGroupFanout).
 */
export class Fanout {
  readonly #bus: Bus;
  readonly #large: LargeGroupFanout | undefined;

  constructor(bus: Bus, large?: LargeGroupFanout) {
    this.#bus = bus;
    this.#large = large;
  }

  toConversation(
    conversation: { readonly id: string; readonly type: ConversationType },
    event: string,
    data: unknown,
    except: Exclusion = {},
    about?: { readonly messageId: string; readonly seq: number },
  ): void {
    const frame = encodeEvent(event, data);
    const large =
      conversation.type === 'single' ? false : (this.#large?.isLarge(conversation.id) ?? false);
    if (large === false) this.#publish(conversation, frame, except);
    else if (large === true) this.#large?.dispatch(conversation.id, frame, except, about);
    else {
      // The first event of a conversation whose size is being read (the cluster shape only).
      void large.then((isLarge) =>
        isLarge
          ? this.#large?.dispatch(conversation.id, frame, except, about)
          : this.#publish(conversation, frame, except),
      );
    }
  }

  /**
   * An event that is only ever live (typing): published on the conversation's topic by this
   * node whatever the group's size. The workers' fan-out reaches the same subscribers; what it
   * adds is a durable task, which an event nobody will look for later does not need.
   */
  toConversationLive(
    conversation: { readonly id: string; readonly type: ConversationType },
    event: string,
    data: unknown,
    except: Exclusion = {},
  ): void {
    this.#publish(conversation, encodeEvent(event, data), except);
  }

  #publish(
    conversation: { readonly id: string; readonly type: ConversationType },
    frame: Buffer,
    except: Exclusion,
  ): void {
    if (conversation.type === 'single') {
      for (const userId of singleConversationMembers(conversation.id) ?? []) {
        // A user's topic holds only that user's connections: an excluded user's is skipped
        // whole, and a connection is excluded only on its owner's topic (when the owner is
        // known). A message with no exception is the frame alone on the bus, with no header.
        if (except.userId === userId) continue;
        const owner = except.connectionUserId;
        const keep = except.connectionId !== undefined && (owner === undefined || owner === userId);
        this.#bus.publish(
          userTopic(userId),
          keep ? { frame, exceptConnection: except.connectionId } : { frame },
        );
      }
    } else {
      this.#bus.publish(conversationTopic(conversation.id), {
        frame,
        ...(except.connectionId !== undefined && { exceptConnection: except.connectionId }),
        ...(except.userId !== undefined && { exceptUser: except.userId }),
      });
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
