/**
 * Who may read a platform account (BRIDGE.md: grants): granting a Parley user an account, and
 * withdrawing it. The caller is authorized by the transport: the operator's admin token, or
 * the worker token that owns the account (`ownsAccount`).
 */
import { notFound } from '../../domain/errors.js';
import type { BridgeGrantRepository, BridgeItemRepository } from '../../ports/bridge-store.js';
import { userTopic, type Bus } from '../../ports/bus.js';
import type { UserRepository } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';

export class BridgeGrantService {
  readonly #items: Pick<BridgeItemRepository, 'listAccounts'>;
  readonly #grants: BridgeGrantRepository;
  readonly #users: Pick<UserRepository, 'findById'>;
  readonly #bus: Pick<Bus, 'publish'>;
  readonly #clock: Clock;

  constructor(deps: {
    items: Pick<BridgeItemRepository, 'listAccounts'>;
    grants: BridgeGrantRepository;
    users: Pick<UserRepository, 'findById'>;
    bus: Pick<Bus, 'publish'>;
    clock: Clock;
  }) {
    this.#items = deps.items;
    this.#grants = deps.grants;
    this.#users = deps.users;
    this.#bus = deps.bus;
    this.#clock = deps.clock;
  }

  /** True when the worker token owns an account with this id (on any platform). */
  async ownsAccount(workerTokenId: string, accountId: string): Promise<boolean> {
    const accounts = await this.#items.listAccounts(accountId);
    return accounts.some((a) => a.ownerTokenId === workerTokenId);
  }

  /** Lets a user read an account. True when newly granted; NOT_FOUND for an unknown user. */
  async grant(accountId: string, userId: string): Promise<boolean> {
    if ((await this.#users.findById(userId)) === undefined) {
      throw notFound(`There is no user ${userId}.`);
    }
    return this.#grants.grant(accountId, userId, this.#clock.now());
  }

  /**
   * Withdraws a user's grant on an account: their reads are refused from now on, and their
   * live connections, on every gateway, stop receiving the account's `bridge.updated` (the
   * user's bus topic reaches exactly the nodes holding one of them). True when there was a
   * grant. The user need not exist any more: a deleted user's grant can be withdrawn too.
   */
  async revoke(accountId: string, userId: string): Promise<boolean> {
    const revoked = await this.#grants.revoke(accountId, userId);
    // Told even when there was no grant: whatever happened before, once this resolves no
    // connection of the user follows the account (a second withdrawal makes sure of it).
    this.#bus.publish(userTopic(userId), {
      control: { kind: 'unsubscribe-bridge', accountId },
    });
    return revoked;
  }
}
