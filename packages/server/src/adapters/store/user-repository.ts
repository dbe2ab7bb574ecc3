import type { Kysely, Selectable } from 'kysely';
import { appError } from '../../domain/errors.js';
import { usernameKey, type UserRecord } from '../../domain/user.js';
import type { UserProfilePatch, UserRepository, UserSearch } from '../../ports/store.js';
import type { EngineSql } from './engine-sql.js';
import type { Database, UsersTable } from './schema.js';

export class KyselyUserRepository implements UserRepository {
  readonly #db: Kysely<Database>;
  readonly #engine: EngineSql;

  constructor(db: Kysely<Database>, engine: EngineSql) {
    this.#db = db;
    this.#engine = engine;
  }

  async insert(user: UserRecord): Promise<void> {
    try {
      await this.#db
        .insertInto('users')
        .values({
          id: user.id,
          username: user.username,
          username_key: usernameKey(user.username),
          password_hash: user.passwordHash,
          nickname: user.nickname,
          avatar_url: user.avatarUrl,
          bio: user.bio,
          is_guest: user.isGuest ? 1 : 0,
          created_at: user.createdAt,
          updated_at: user.updatedAt,
        })
        .execute();
    } catch (err) {
      if (this.#engine.isUniqueViolation(err)) {
        throw appError('USERNAME_TAKEN', 'That username is taken.', { field: 'username' });
      }
      throw err;
    }
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    const row = await this.#db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async findByIds(ids: readonly string[]): Promise<UserRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.#db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
    return rows.map(toUser);
  }

  async findByUsername(username: string): Promise<UserRecord | undefined> {
    const row = await this.#db
      .selectFrom('users')
      .selectAll()
      .where('username_key', '=', usernameKey(username))
      .executeTakeFirst();
    return row && toUser(row);
  }

  async updateProfile(
    id: string,
    patch: UserProfilePatch,
    at: number,
  ): Promise<UserRecord | undefined> {
    await this.#db
      .updateTable('users')
      .set({
        ...(patch.nickname !== undefined && { nickname: patch.nickname }),
        ...(patch.avatarUrl !== undefined && { avatar_url: patch.avatarUrl }),
        ...(patch.bio !== undefined && { bio: patch.bio }),
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
    return this.findById(id);
  }

  async search(query: UserSearch): Promise<UserRecord[]> {
    // Allowed username characters all sort below '~', so [prefix, prefix + '~') is the prefix range.
    const from = query.after !== undefined && query.after >= query.prefix ? query.after : undefined;
    let select = this.#db
      .selectFrom('users')
      .selectAll()
      .where('is_guest', '=', 0)
      .where('username_key', '<', `${query.prefix}~`);
    select =
      from === undefined
        ? select.where('username_key', '>=', query.prefix)
        : select.where('username_key', '>', from);
    const rows = await select.orderBy('username_key').limit(query.limit).execute();
    return rows.map(toUser);
  }
}

function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    nickname: row.nickname,
    avatarUrl: row.avatar_url,
    bio: row.bio,
    isGuest: row.is_guest === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
