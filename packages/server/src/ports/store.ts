/**
 * Store: durable state, one repository per aggregate.
 *
 * Guarantees every adapter keeps (test/contract/store.contract.ts checks them):
 * - A call that resolves has committed: the change survives a crash of the process.
 * - `transaction(fn)` runs `fn` against repositories bound to one transaction: all of its
 *   writes commit together or none do (when `fn` throws, the error is rethrown after rollback).
 * - Usernames are unique regardless of case; inserting a taken one fails with `ALREADY_EXISTS`.
 * - `RefreshTokenRepository.markUsed` succeeds for exactly one of any number of concurrent callers.
 */
import type { SessionRecord, RevokeReason } from '../domain/session.js';
import type { UserRecord } from '../domain/user.js';
import type {
  GroupInvitationRepository,
  GroupRepository,
  MemberRepository,
} from './group-store.js';
import type {
  ConversationRepository,
  ExtJobRepository,
  MessageRepository,
} from './messaging-store.js';
import type {
  BridgeGrantRepository,
  BridgeItemRepository,
  WorkerTokenRepository,
} from './bridge-store.js';
import type { DeviceRepository, DeviceSessionRepository } from './device-store.js';
import type { BlockRepository, FriendRepository } from './social-store.js';

export type StoreEngine = 'sqlite' | 'postgres' | 'mysql';

export interface UserProfilePatch {
  readonly nickname?: string;
  readonly avatarUrl?: string;
  readonly bio?: string;
}

export interface UserSearch {
  /** Lower-case prefix of the username. */
  readonly prefix: string;
  /** Return users whose username key sorts after this one (the page cursor). */
  readonly after?: string;
  readonly limit: number;
}

export interface UserRepository {
  /** Fails with ALREADY_EXISTS when the username (in any case) is taken. */
  insert(user: UserRecord): Promise<void>;
  findById(id: string): Promise<UserRecord | undefined>;
  findByIds(ids: readonly string[]): Promise<UserRecord[]>;
  /** Case-insensitive. */
  findByUsername(username: string): Promise<UserRecord | undefined>;
  /** Returns the updated user, or undefined when there is none with that id. */
  updateProfile(id: string, patch: UserProfilePatch, at: number): Promise<UserRecord | undefined>;
  /** Registered (non-guest) users by username prefix, ordered by lower-case username. */
  search(query: UserSearch): Promise<UserRecord[]>;
}

export interface SessionRepository {
  insert(session: SessionRecord): Promise<void>;
  findById(id: string): Promise<SessionRecord | undefined>;
  /** Up to `limit` sessions of a user that are neither revoked nor expired at `now`, newest first. */
  listActive(userId: string, now: number, limit: number): Promise<SessionRecord[]>;
  /** The active sessions of one device of a user (normally at most one). */
  listActiveForDevice(userId: string, deviceId: string, now: number): Promise<SessionRecord[]>;
  /** Records use of the session and slides its expiry. */
  touch(id: string, lastUsedAt: number, expiresAt: number): Promise<void>;
  /** Revokes the session; true when this call ended an unrevoked session. */
  revoke(id: string, reason: RevokeReason, at: number): Promise<boolean>;
}

export interface RefreshTokenRecord {
  /** SHA-256 of the token: the token itself is never stored. */
  readonly tokenHash: string;
  readonly sessionId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
}

export interface RefreshTokenRepository {
  insert(token: RefreshTokenRecord): Promise<void>;
  find(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Marks an unused token used; true for exactly one caller, false if it was already used. */
  markUsed(tokenHash: string, at: number): Promise<boolean>;
  /** Deletes tokens that expired before `before`; returns how many. */
  deleteExpired(before: number): Promise<number>;
}

export interface Repositories {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly refreshTokens: RefreshTokenRepository;
  readonly conversations: ConversationRepository;
  readonly messages: MessageRepository;
  readonly friends: FriendRepository;
  readonly blocks: BlockRepository;
  readonly groups: GroupRepository;
  readonly members: MemberRepository;
  readonly groupInvitations: GroupInvitationRepository;
  readonly extJobs: ExtJobRepository;
  readonly devices: DeviceRepository;
  readonly deviceSessions: DeviceSessionRepository;
  readonly bridgeItems: BridgeItemRepository;
  readonly bridgeGrants: BridgeGrantRepository;
  readonly workerTokens: WorkerTokenRepository;
}

export interface MigrationReport {
  /** Names of the migrations this call applied, in order. */
  readonly applied: readonly string[];
  /** Every migration the database now has, in order. */
  readonly current: readonly string[];
}

export interface Store extends Repositories {
  readonly engine: StoreEngine;
  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
  /** Applies pending versioned migrations; safe to call on every start. */
  migrate(): Promise<MigrationReport>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
