import type { UserService } from '../../app/accounts/user-service.js';
import { setNewest } from '../../domain/bounded-map.js';
import { SYSTEM_SENDER_ID } from '../../domain/message.js';

/** Names kept; the least recently read are dropped past it. */
const KEPT = 10_000;
/** How long a name is trusted: a renamed sender shows the new name after this at most. */
const TTL_MS = 10_000;

/**
 * Senders' nicknames for Message.sender_name, cached briefly: a page of history or a busy
 * conversation names the same few senders again and again, and a lookup per call would cost
 * more than the call. A rename shows up within TTL_MS (on every node alike).
 */
export class SenderNames {
  readonly #users: Pick<UserService, 'nicknames'>;
  readonly #now: () => number;
  readonly #names = new Map<string, { name: string; at: number }>();

  constructor(users: Pick<UserService, 'nicknames'>, now: () => number) {
    this.#users = users;
    this.#now = now;
  }

  /** The nicknames of these users ('' for an account that is gone). */
  async of(userIds: readonly string[]): Promise<Map<string, string>> {
    const now = this.#now();
    const names = new Map<string, string>();
    const missing: string[] = [];
    for (const id of new Set(userIds)) {
      if (id === SYSTEM_SENDER_ID) {
        names.set(id, 'System');
        continue;
      }
      const cached = this.#names.get(id);
      if (cached !== undefined && now - cached.at < TTL_MS) names.set(id, cached.name);
      else missing.push(id);
    }
    if (missing.length === 0) return names;
    const found = await this.#users.nicknames(missing);
    for (const id of missing) {
      const name = found.get(id) ?? '';
      names.set(id, name);
      setNewest(this.#names, id, { name, at: now }, KEPT);
    }
    return names;
  }
}
