import { groupConversationId } from '../../domain/conversation.js';
import { invalidArgument, rateLimited, appError } from '../../domain/errors.js';
import {
  GROUP_NAME_MAX,
  GROUP_NOTICE_MAX,
  permissions,
  type GroupRecord,
  type JoinPolicy,
} from '../../domain/group.js';
import { assertValidAvatarUrl, hasControlCharacters } from '../../domain/user.js';
import type { GroupPatch } from '../../ports/group-store.js';
import type { RateLimiter, RateRule } from '../../ports/rate-limiter.js';
import type { Store } from '../../ports/store.js';
import type { Clock, Ids } from '../../ports/system.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { ConversationAccess } from '../messaging/access.js';
import { toPublicConversations, type PublicConversation } from '../messaging/views.js';
import type { GroupAdmission } from './group-admission.js';
import type { GroupEvents } from './group-events.js';
import {
  toPublicGroup,
  toPublicMember,
  type PublicGroup,
  type PublicMember,
} from './group-views.js';

export interface GroupOptions {
  readonly maxMembers: number;
  /** Most users one create (or add-members) request may name. */
  readonly membersPerRequest: number;
  /** Groups one user may create per window. */
  readonly creates: RateRule;
  /** Guests may not create groups under the restricted guest policy. */
  readonly guestsRestricted: boolean;
}

export interface GroupDeps {
  readonly store: Store;
  readonly access: ConversationAccess;
  readonly events: GroupEvents;
  /** Who is added at once and who is invited. */
  readonly admission: GroupAdmission;
  readonly limiter: RateLimiter;
  readonly clock: Clock;
  readonly ids: Ids;
}

export interface CreatedGroup {
  readonly group: PublicGroup;
  readonly conversation: PublicConversation;
  /** The users added besides the caller. */
  readonly added: string[];
  /** The users invited: they become members by accepting. */
  readonly invited: string[];
}

export interface GroupInput {
  readonly name?: string | undefined;
  readonly avatarUrl?: string | undefined;
  readonly notice?: string | undefined;
  readonly joinPolicy?: JoinPolicy | undefined;
}

const LOOKUP_CHUNK = 1_000;
const EVENT_USER_IDS_MAX = 1_000;

/** Creating, reading, updating and dissolving groups; listing members. */
export class GroupService {
  readonly #deps: GroupDeps;
  readonly #options: GroupOptions;

  constructor(deps: GroupDeps, options: GroupOptions) {
    this.#deps = deps;
    this.#options = options;
  }

  async create(auth: AuthContext, input: GroupInput & { memberIds: readonly string[] }) {
    if (auth.isGuest && this.#options.guestsRestricted) {
      throw appError('GUEST_RESTRICTED', 'Guests cannot create groups.');
    }
    const name = groupName(input.name ?? '');
    assertRequestSize(input.memberIds, this.#options.membersPerRequest, 'member_ids');
    const memberIds = [...new Set(input.memberIds.filter((id) => id !== auth.userId))];
    if (memberIds.length + 1 > this.#options.maxMembers) {
      throw invalidArgument(
        `A group has at most ${this.#options.maxMembers} members.`,
        'member_ids',
      );
    }
    await this.#limitCreates(auth);
    await this.assertUsersExist(memberIds);
    const { admission, clock, ids, store } = this.#deps;
    const plan = await admission.plan(auth, memberIds);
    const id = ids.next();
    const conversationId = groupConversationId(id);
    await store.groups.create(
      {
        id,
        conversationId,
        name,
        avatarUrl: avatarUrl(input.avatarUrl),
        notice: notice(input.notice),
        ownerId: auth.userId,
        joinPolicy: input.joinPolicy ?? 'open',
        createdAt: clock.now(),
      },
      [auth.userId, ...plan.add],
      this.#options.maxMembers,
    );
    this.#deps.access.remember({ id: conversationId, type: 'group' });
    const invited = await admission.invite({ id, conversationId, name }, plan, auth.userId);
    const group = await this.#find(id);
    const everyone = [auth.userId, ...plan.add];
    this.#deps.events.joined(conversationId, everyone, {
      group_id: id,
      conversation_id: conversationId,
      // A large group's creation names its first members; the count says how many there are.
      user_ids: everyone.slice(0, EVENT_USER_IDS_MAX),
      count: everyone.length,
      by: auth.userId,
    });
    const summary = await store.conversations.summary(conversationId, auth.userId);
    const [conversation] = await toPublicConversations(
      store,
      auth.userId,
      summary ? [summary] : [],
    );
    return {
      group: toPublicGroup(group),
      conversation: conversation as PublicConversation,
      added: [...plan.add],
      invited,
    } satisfies CreatedGroup;
  }

  /** Any signed-in user may see an open or approval group; invite-only ones only members. */
  async get(auth: AuthContext, groupId: string): Promise<PublicGroup> {
    const group = await this.#find(groupId);
    if (group.joinPolicy === 'invite') await this.requireMember(group, auth.userId);
    return toPublicGroup(group);
  }

  async update(auth: AuthContext, groupId: string, input: GroupInput): Promise<PublicGroup> {
    const group = await this.#find(groupId);
    permissions.manage((await this.requireMember(group, auth.userId)).role);
    const patch: { -readonly [K in keyof GroupPatch]: GroupPatch[K] } = {};
    if (input.name !== undefined) patch.name = groupName(input.name);
    if (input.avatarUrl !== undefined) patch.avatarUrl = avatarUrl(input.avatarUrl);
    if (input.notice !== undefined) patch.notice = notice(input.notice);
    if (input.joinPolicy !== undefined) patch.joinPolicy = input.joinPolicy;
    const updated = await this.#deps.store.groups.update(groupId, patch, this.#deps.clock.now());
    if (updated === undefined) throw noGroup();
    const view = toPublicGroup(updated);
    this.#deps.events.toMembers(group.conversationId, 'group.updated', { group: view });
    return view;
  }

  async dissolve(auth: AuthContext, groupId: string): Promise<void> {
    const group = await this.#find(groupId);
    permissions.own((await this.requireMember(group, auth.userId)).role);
    const data = { group_id: group.id, conversation_id: group.conversationId };
    if (await this.#deps.store.groups.dissolve(groupId, this.#deps.clock.now())) {
      this.#deps.access.forget(group.conversationId);
      this.#deps.events.dissolved(group.conversationId, data);
    }
  }

  async members(
    auth: AuthContext,
    groupId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ members: PublicMember[]; next_cursor: string | null }> {
    const group = await this.#find(groupId);
    await this.requireMember(group, auth.userId);
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const rows = await this.#deps.store.members.page(group.conversationId, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      members: page.map(toPublicMember),
      next_cursor:
        rows.length > limit && last ? Buffer.from(last.userId).toString('base64url') : null,
    };
  }

  async find(groupId: string): Promise<GroupRecord> {
    return this.#find(groupId);
  }

  async requireMember(group: GroupRecord, userId: string) {
    const member = await this.#deps.store.members.get(group.conversationId, userId);
    if (member === undefined) {
      throw appError('NOT_A_MEMBER', 'You are not a member of this group.');
    }
    return member;
  }

  async #find(groupId: string): Promise<GroupRecord> {
    const group = await this.#deps.store.groups.find(groupId);
    if (group === undefined) throw noGroup();
    return group;
  }

  /** NOT_FOUND naming (some of) the ids that are no user's. */
  async assertUsersExist(userIds: readonly string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += LOOKUP_CHUNK) {
      const chunk = userIds.slice(i, i + LOOKUP_CHUNK);
      const found = new Set((await this.#deps.store.users.findByIds(chunk)).map((u) => u.id));
      const missing = chunk.filter((id) => !found.has(id));
      if (missing.length > 0) {
        throw appError('USER_NOT_FOUND', `No user with id ${missing.slice(0, 5).join(', ')}.`);
      }
    }
  }

  /** INVALID_ARGUMENT when one request names more users than the bound. */
  assertRequestSize(userIds: readonly string[], field: string): void {
    assertRequestSize(userIds, this.#options.membersPerRequest, field);
  }

  async #limitCreates(auth: AuthContext): Promise<void> {
    const state = await this.#deps.limiter.hit(
      `group-creates:${auth.userId}`,
      this.#options.creates,
    );
    if (state.limited) {
      throw rateLimited('Too many groups created; try again later.', state.retryAfterMs);
    }
  }
}

function assertRequestSize(userIds: readonly string[], max: number, field: string): void {
  if (userIds.length > max) {
    throw invalidArgument(
      `One request may name at most ${max} users; a larger group grows by joins and invitations.`,
      field,
    );
  }
}

const noGroup = () => appError('GROUP_NOT_FOUND', 'No group with that id.');

function groupName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > GROUP_NAME_MAX || hasControlCharacters(name)) {
    throw invalidArgument(
      `name must be 1–${GROUP_NAME_MAX} characters without control characters.`,
      'name',
    );
  }
  return name;
}

function avatarUrl(raw: string | undefined): string {
  assertValidAvatarUrl(raw ?? '');
  return raw ?? '';
}

function notice(raw: string | undefined): string {
  const text = raw ?? '';
  if (text.length > GROUP_NOTICE_MAX || hasControlCharacters(text.replace(/[\n\t]/g, ''))) {
    throw invalidArgument(`notice must be at most ${GROUP_NOTICE_MAX} characters.`, 'notice');
  }
  return text;
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw invalidArgument('cursor is not one this server handed out.', 'cursor');
  }
  return id;
}
