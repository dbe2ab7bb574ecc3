import type { Migration, MigrationProvider } from 'kysely';
import type { StoreEngine } from '../../../ports/store.js';
import { accountsMigration } from './0001-accounts.js';
import { messagingMigration } from './0002-messaging.js';
import { socialMigration } from './0003-social.js';
import { groupsMigration } from './0004-groups.js';
import { extensionsMigration } from './0005-extensions.js';
import { conversationPagingMigration } from './0006-conversation-paging.js';
import { groupInvitationsMigration } from './0007-group-invitations.js';
import { devicesMigration } from './0008-devices.js';
import { bridgesMigration } from './0009-bridges.js';
import { bridgeGrantsMigration } from './0010-bridge-grants.js';

/**
 * Versioned migrations, applied in name order and never edited once released: a change to the
 * schema is a new migration appended here.
 */
export class ParleyMigrations implements MigrationProvider {
  readonly #engine: StoreEngine;

  constructor(engine: StoreEngine) {
    this.#engine = engine;
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '0001-accounts': accountsMigration(this.#engine),
      '0002-messaging': messagingMigration(this.#engine),
      '0003-social': socialMigration(this.#engine),
      '0004-groups': groupsMigration(this.#engine),
      '0005-extensions': extensionsMigration(this.#engine),
      '0006-conversation-paging': conversationPagingMigration(this.#engine),
      '0007-group-invitations': groupInvitationsMigration(this.#engine),
      '0008-devices': devicesMigration(this.#engine),
      '0009-bridges': bridgesMigration(this.#engine),
      '0010-bridge-grants': bridgeGrantsMigration(this.#engine),
    };
  }
}
