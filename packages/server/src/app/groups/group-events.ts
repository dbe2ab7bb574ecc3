import { conversationTopic, userTopic, type Bus } from '../../ports/bus.js';
import type { ConversationAccess } from '../messaging/access.js';
import type { Fanout } from '../messaging/fanout.js';

/**
 * Membership changes as events and subscriptions. Joiners are subscribed before the event so
 * that their other devices hear it too; leavers hear the event before they are unsubscribed.
 * A leave, and any change of roles or mutes (`membersChanged`), also drops what every node
 * remembers of the conversation's posting rights.
 */
export class GroupEvents {
  readonly #bus: Bus;
  readonly #fanout: Fanout;
  readonly #access: Pick<ConversationAccess, 'membersChanged'>;

  constructor(bus: Bus, fanout: Fanout, access: Pick<ConversationAccess, 'membersChanged'>) {
    this.#bus = bus;
    this.#fanout = fanout;
    this.#access = access;
  }

  /** Roles or mutes changed (stored already). */
  membersChanged(conversationId: string): void {
    this.#access.membersChanged(conversationId);
  }

  joined(conversationId: string, userIds: readonly string[], data: Record<string, unknown>): void {
    for (const userId of userIds) {
      this.#bus.publish(userTopic(userId), { control: { kind: 'subscribe', conversationId } });
    }
    this.toMembers(conversationId, 'group.member_joined', data);
  }

  left(conversationId: string, userId: string, data: Record<string, unknown>): void {
    this.#access.membersChanged(conversationId);
    // The leaver's connections are still subscribed, so they hear it too.
    this.toMembers(conversationId, 'group.member_left', data);
    this.#bus.publish(userTopic(userId), { control: { kind: 'unsubscribe', conversationId } });
  }

  dissolved(conversationId: string, data: Record<string, unknown>): void {
    this.toMembers(conversationId, 'group.dissolved', data);
    this.#bus.publish(conversationTopic(conversationId), {
      control: { kind: 'unsubscribe', conversationId },
    });
  }

  toMembers(conversationId: string, event: string, data: unknown): void {
    this.#fanout.toConversation({ id: conversationId, type: 'group' }, event, data);
  }

  toUsers(userIds: readonly string[], event: string, data: unknown): void {
    this.#fanout.toUsers(userIds, event, data);
  }
}
