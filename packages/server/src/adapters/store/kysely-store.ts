import { Migrator, sql, type Kysely } from 'kysely';
import type { MessageRepository } from '../../ports/messaging-store.js';
import type { MigrationReport, Repositories, Store, StoreEngine } from '../../ports/store.js';
import { ParleyMigrations } from './migrations/index.js';
import { KyselyBlockRepository } from './block-repository.js';
import { KyselyConversationRepository } from './conversation-repository.js';
import { KyselyFriendRepository } from './friend-repository.js';
import { KyselyExtJobRepository } from './ext-job-repository.js';
import { KyselyGroupInvitationRepository } from './group-invitation-repository.js';
import { KyselyGroupRepository } from './group-repository.js';
import { KyselyMemberRepository } from './member-repository.js';
import { KyselyMessageRepository } from './message-repository.js';
import { KyselyRefreshTokenRepository } from './refresh-token-repository.js';
import type { Database } from './schema.js';
import { KyselySessionRepository } from './session-repository.js';
import { KyselyUserRepository, type UniqueViolationTest } from './user-repository.js';

/** Engine-specific repositories an engine file may put in place of the kysely ones. */
export interface KyselyStoreOverrides {
  /** Made for the store and for every transaction's repositories. */
  readonly messages?: (db: Kysely<Database>) => MessageRepository;
}

/** The Store over any kysely dialect; the engine files (sqlite.ts, postgres.ts) only open it. */
export class KyselyStore implements Store {
  readonly engine: StoreEngine;
  readonly users;
  readonly sessions;
  readonly refreshTokens;
  readonly conversations;
  readonly messages;
  readonly friends;
  readonly blocks;
  readonly groups;
  readonly members;
  readonly groupInvitations;
  readonly extJobs;
  readonly #db: Kysely<Database>;
  readonly #isUniqueViolation: UniqueViolationTest;
  readonly #overrides: KyselyStoreOverrides;

  constructor(
    engine: StoreEngine,
    db: Kysely<Database>,
    isUniqueViolation: UniqueViolationTest,
    overrides: KyselyStoreOverrides = {},
  ) {
    this.engine = engine;
    this.#db = db;
    this.#isUniqueViolation = isUniqueViolation;
    this.#overrides = overrides;
    const repos = this.#repositories(db);
    this.users = repos.users;
    this.sessions = repos.sessions;
    this.refreshTokens = repos.refreshTokens;
    this.conversations = repos.conversations;
    this.messages = repos.messages;
    this.friends = repos.friends;
    this.blocks = repos.blocks;
    this.groups = repos.groups;
    this.members = repos.members;
    this.groupInvitations = repos.groupInvitations;
    this.extJobs = repos.extJobs;
  }

  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.#db.transaction().execute((trx) => fn(this.#repositories(trx)));
  }

  async migrate(): Promise<MigrationReport> {
    const migrator = new Migrator({ db: this.#db, provider: new ParleyMigrations(this.engine) });
    const { error, results = [] } = await migrator.migrateToLatest();
    if (error !== undefined) {
      const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      throw new Error(`Database migration ${failed} failed`, { cause: error });
    }
    const all = await migrator.getMigrations();
    return {
      applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName),
      current: all.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    };
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.#db);
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }

  #repositories(db: Kysely<Database>): Repositories {
    return {
      users: new KyselyUserRepository(db, this.#isUniqueViolation),
      sessions: new KyselySessionRepository(db),
      refreshTokens: new KyselyRefreshTokenRepository(db),
      conversations: new KyselyConversationRepository(db),
      messages: this.#overrides.messages?.(db) ?? new KyselyMessageRepository(db),
      friends: new KyselyFriendRepository(db),
      blocks: new KyselyBlockRepository(db),
      groups: new KyselyGroupRepository(db),
      members: new KyselyMemberRepository(db),
      groupInvitations: new KyselyGroupInvitationRepository(db),
      extJobs: new KyselyExtJobRepository(db),
    };
  }
}
