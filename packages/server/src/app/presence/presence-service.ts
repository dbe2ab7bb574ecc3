import { appError } from '../../domain/errors.js';
import type { Presence, PresenceStatus } from '../../ports/presence.js';
import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';
import type { Fanout } from '../messaging/fanout.js';

/**
 * Online state: a user's contacts (the peers of their single conversations) hear `presence`
 * when the user's first connection opens and when the last one closes.
 */
export class PresenceService {
  readonly #presence: Presence;
  readonly #store: Store;
  readonly #fanout: Fanout;
  readonly #clock: Clock;

  constructor(deps: { presence: Presence; store: Store; fanout: Fanout; clock: Clock }) {
    this.#presence = deps.presence;
    this.#store = deps.store;
    this.#fanout = deps.fanout;
    this.#clock = deps.clock;
  }

  async connected(userId: string, connectionId: string): Promise<void> {
    const { first } = await this.#presence.connect(userId, connectionId);
    if (first) await this.#announce(userId, { user_id: userId, online: true });
  }

  async disconnected(userId: string, connectionId: string): Promise<void> {
    const at = this.#clock.now();
    const { last } = await this.#presence.disconnect(userId, connectionId, at);
    if (last) await this.#announce(userId, { user_id: userId, online: false, last_seen: at });
  }

  /** Users a presence sweep found offline (their gateway died): their contacts hear it. */
  async sweptOffline(userIds: readonly string[], at: number): Promise<void> {
    for (const userId of userIds) {
      await this.#announce(userId, { user_id: userId, online: false, last_seen: at });
    }
  }

  /**
   * The online state of the caller and of their contacts (the peers of their single
   * conversations): the users who hear the caller's `presence` events may ask, nobody else.
   */
  async statusFor(
    viewerId: string,
    userIds: readonly string[],
  ): Promise<Map<string, PresenceStatus>> {
    const others = userIds.filter((id) => id !== viewerId);
    if (others.length > 0) {
      const contacts = new Set(await this.#store.conversations.contactsOf(viewerId));
      const stranger = others.find((id) => !contacts.has(id));
      if (stranger !== undefined) {
        throw appError(
          'NOT_A_CONTACT',
          `User ${stranger} is not a contact of yours (no single conversation with them).`,
          { field: 'user_ids' },
        );
      }
    }
    return this.#presence.status(userIds);
  }

  /** The live gateways of each of these users that is online (cluster-wide). */
  gatewaysOf(userIds: readonly string[]): Promise<Map<string, string[]>> {
    return this.#presence.gatewaysOf(userIds);
  }

  async #announce(userId: string, data: Record<string, unknown>): Promise<void> {
    const contacts = await this.#store.conversations.contactsOf(userId);
    this.#fanout.toUsers(contacts, 'presence', data);
  }
}
