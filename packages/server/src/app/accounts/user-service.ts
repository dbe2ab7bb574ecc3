import { invalidArgument, appError } from '../../domain/errors.js';
import {
  assertValidAvatarUrl,
  assertValidBio,
  normalizeNickname,
  toPublicUser,
  usernameKey,
  type PublicUser,
} from '../../domain/user.js';
import type { Store, UserProfilePatch } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';
import type { AuthContext } from './auth-context.js';

export interface ProfileUpdate {
  readonly nickname?: string | undefined;
  readonly avatar_url?: string | undefined;
  readonly bio?: string | undefined;
}

export interface UserPage {
  readonly users: PublicUser[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly next_cursor: string | null;
}

export const SEARCH_PREFIX_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
export const SEARCH_LIMIT_MAX = 100;

/** Profiles: read, update and search users. */
export class UserService {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(deps: { store: Store; clock: Clock }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  async get(userId: string): Promise<PublicUser> {
    const user = await this.#store.users.findById(userId);
    if (user === undefined) throw appError('USER_NOT_FOUND', 'No user with that id.');
    return toPublicUser(user);
  }

  async updateProfile(auth: AuthContext, update: ProfileUpdate): Promise<PublicUser> {
    const current = await this.get(auth.userId);
    const patch: { -readonly [K in keyof UserProfilePatch]: UserProfilePatch[K] } = {};
    if (update.nickname !== undefined) {
      patch.nickname = normalizeNickname(update.nickname, current.username);
    }
    if (update.avatar_url !== undefined) {
      assertValidAvatarUrl(update.avatar_url);
      patch.avatarUrl = update.avatar_url;
    }
    if (update.bio !== undefined) {
      assertValidBio(update.bio);
      patch.bio = update.bio;
    }
    const updated = await this.#store.users.updateProfile(auth.userId, patch, this.#clock.now());
    if (updated === undefined) throw appError('USER_NOT_FOUND', 'No user with that id.');
    return toPublicUser(updated);
  }

  /** Nicknames by user id (unknown ids are absent): for views that name each message's sender. */
  async nicknames(userIds: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return new Map();
    const users = await this.#store.users.findByIds(unique);
    return new Map(users.map((u) => [u.id, u.nickname]));
  }

  /** Registered users whose username starts with `query` (any case), a page at a time. */
  async search(query: string, limit: number, cursor?: string): Promise<UserPage> {
    if (!SEARCH_PREFIX_PATTERN.test(query)) {
      throw invalidArgument(
        'query must be 1–32 characters of letters, digits, "_", "." or "-".',
        'query',
      );
    }
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const rows = await this.#store.users.search({
      prefix: usernameKey(query),
      ...(after !== undefined && { after }),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      users: page.map(toPublicUser),
      next_cursor: rows.length > limit && last ? encodeCursor(usernameKey(last.username)) : null,
    };
  }
}

const encodeCursor = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (cursor.length > 64 || !SEARCH_PREFIX_PATTERN.test(key)) {
    throw invalidArgument('cursor is not one this server handed out.', 'cursor');
  }
  return key.toLowerCase();
}
