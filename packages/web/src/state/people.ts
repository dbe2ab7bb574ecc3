import type { User } from '@parley/client';
import type { SocialApi } from '../api/social.js';

/** Users the app has met, by id (looked up once when unknown), and their presence. */
export class People {
  readonly users = new Map<string, User>();
  /** Known presence only: the server tells contacts when a user comes and goes. */
  readonly presence = new Map<string, boolean>();
  readonly #lookups = new Set<string>();
  readonly #social: SocialApi;
  readonly #changed: () => void;

  constructor(social: SocialApi, changed: () => void) {
    this.#social = social;
    this.#changed = changed;
  }

  /** A display name for a user id; '…' until a lookup answers. */
  nameOf(userId: string): string {
    if (userId === 'system') return 'System';
    const user = this.users.get(userId);
    if (user !== undefined) return user.nickname || user.username || 'Guest';
    this.lookUp(userId);
    return '…';
  }

  lookUp(userId: string): void {
    if (userId === 'system' || this.users.has(userId) || this.#lookups.has(userId)) return;
    this.#lookups.add(userId);
    this.#social.user(userId).then(
      (user) => {
        this.users.set(userId, user);
        this.#changed();
      },
      () => this.#lookups.delete(userId),
    );
  }

  remember(users: readonly User[]): void {
    for (const user of users) this.users.set(user.user_id, user);
  }

  setPresence(userId: string, online: boolean): void {
    this.presence.set(userId, online);
    this.#changed();
  }
}
