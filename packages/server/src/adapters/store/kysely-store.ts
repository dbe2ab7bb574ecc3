import { Migrator, sql, type Kysely } from 'kysely';
import type { MessageRepository } from '../../ports/messaging-store.js';
import type { MigrationReport, Repositories, Store, StoreEngine } from '../../ports/store.js';
import type { EngineSql } from './engine-sql.js';
import { ParleyMigrations } from './migrations/index.js';
import { KyselyBlockRepository } from './block-repository.js';
import { KyselyBridgeItemRepository } from './bridge-repository.js';
import type { BridgeItemRepository } from '../../ports/bridge-store.js';
import { KyselyBridgeGrantRepository } from './bridge-grant-repository.js';
import { KyselyDeviceRepository } from './device-repository.js';
import { KyselyDeviceSessionRepository } from './device-session-repository.js';
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
import { KyselyUserRepository } from './user-repository.js';
import { KyselyWorkerTokenRepository } from './worker-token-repository.js';

/** Engine-specific repositories an engine file may put in place of the kysely ones. */
export interface KyselyStoreOverrides {
  /** Made for the store and for every transaction's repositories. */
  readonly messages?: (db: Kysely<Database>, engine: EngineSql) => MessageRepository;
  /** Made for the store and for every transaction's repositories, like `messages`. */
  readonly bridgeItems?: (db: Kysely<Database>) => BridgeItemRepository;
  /** Closes what the overrides opened, after the store's own connection. */
  readonly close?: () => Promise<void>;
}

/**
 * The Store over any kysely dialect; the engine files (sqlite.ts, postgres.ts, mysql.ts) only
 * open it, and say through `EngineSql` how their SQL differs.
 */
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
  readonly devices;
  readonly deviceSessions;
  readonly bridgeItems;
  readonly bridgeGrants;
  readonly workerTokens;
  readonly #db: Kysely<Database>;
  readonly #sql: EngineSql;
  readonly #overrides: KyselyStoreOverrides;

  constructor(db: Kysely<Database>, engineSql: EngineSql, overrides: KyselyStoreOverrides = {}) {
    this.engine = engineSql.engine;
    this.#db = db;
    this.#sql = engineSql;
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
    this.devices = repos.devices;
    this.deviceSessions = repos.deviceSessions;
    this.bridgeItems = repos.bridgeItems;
    this.bridgeGrants = repos.bridgeGrants;
    this.workerTokens = repos.workerTokens;
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
    await this.#overrides.close?.();
  }

  #repositories(db: Kysely<Database>): Repositories {
    const engine = this.#sql;
    return {
      users: new KyselyUserRepository(db, engine),
      sessions: new KyselySessionRepository(db),
      refreshTokens: new KyselyRefreshTokenRepository(db),
      conversations: new KyselyConversationRepository(db, engine),
      messages: this.#overrides.messages?.(db, engine) ?? new KyselyMessageRepository(db, engine),
      friends: new KyselyFriendRepository(db, engine),
      blocks: new KyselyBlockRepository(db, engine),
      groups: new KyselyGroupRepository(db, engine),
      members: new KyselyMemberRepository(db, engine),
      groupInvitations: new KyselyGroupInvitationRepository(db, engine),
      extJobs: new KyselyExtJobRepository(db, engine),
      devices: new KyselyDeviceRepository(db, engine),
      deviceSessions: new KyselyDeviceSessionRepository(db),
      bridgeItems: this.#overrides.bridgeItems?.(db) ?? new KyselyBridgeItemRepository(db, engine),
      bridgeGrants: new KyselyBridgeGrantRepository(db, engine),
      workerTokens: new KyselyWorkerTokenRepository(db),
    };
  }
}
