import { invalidArgument, appError } from '../../domain/errors.js';
import { permissions, type Role } from '../../domain/group.js';
import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { GroupEvents } from './group-events.js';

const MUTE_MAX_S = 366 * 24 * 3600;

/**
 * Roles and mutes of a group or world conversation, by conversation id: owners appoint
 * admins and transfer ownership; owners and admins mute members below them and can mute
 * everyone (then only they talk).
 */
export class ModerationService {
  readonly #store: Store;
  readonly #events: GroupEvents;
  readonly #clock: Clock;

  constructor(deps: { store: Store; events: GroupEvents; clock: Clock }) {
    this.#store = deps.store;
    this.#events = deps.events;
    this.#clock = deps.clock;
  }

  async setRole(
    auth: AuthContext,
    conversationId: string,
    userId: string,
    role: Exclude<Role, 'owner'>,
  ) {
    permissions.own(await this.#roleOf(conversationId, auth.userId));
    const target = await this.#target(conversationId, userId);
    if (target.role === 'owner') throw invalidArgument('Transfer ownership instead.', 'user_id');
    await this.#store.members.setRole(conversationId, userId, role);
    this.#events.membersChanged(conversationId);
    this.#memberUpdated(conversationId, userId, role, target.mutedUntil);
  }

  /** Groups only: the owner hands over and becomes an admin. */
  async transfer(auth: AuthContext, groupId: string, userId: string) {
    const group = await this.#store.groups.find(groupId);
    if (group === undefined) throw appError('GROUP_NOT_FOUND', 'No group with that id.');
    permissions.own(await this.#roleOf(group.conversationId, auth.userId));
    if (userId === auth.userId) throw invalidArgument('You already own this group.', 'user_id');
    await this.#target(group.conversationId, userId);
    await this.#store.groups.transferOwnership(groupId, auth.userId, userId, this.#clock.now());
    this.#events.membersChanged(group.conversationId);
    const updated = await this.#store.groups.find(groupId);
    this.#events.toMembers(group.conversationId, 'group.updated', {
      group: updated && { group_id: updated.id, owner_id: updated.ownerId },
    });
    this.#memberUpdated(group.conversationId, userId, 'owner', null);
    this.#memberUpdated(group.conversationId, auth.userId, 'admin', null);
  }

  /** Mutes a member for `seconds` (0 lifts the mute). */
  async mute(auth: AuthContext, conversationId: string, userId: string, seconds: number) {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MUTE_MAX_S) {
      throw invalidArgument(`duration_s must be 0–${MUTE_MAX_S}.`, 'duration_s');
    }
    const actor = await this.#roleOf(conversationId, auth.userId);
    const target = await this.#target(conversationId, userId);
    permissions.moderate(actor, target.role);
    const until = seconds === 0 ? null : this.#clock.now() + seconds * 1000;
    await this.#store.members.setMutedUntil(conversationId, userId, until);
    this.#events.membersChanged(conversationId);
    this.#memberUpdated(conversationId, userId, target.role, until);
  }

  async muteAll(auth: AuthContext, conversationId: string, muted: boolean) {
    permissions.manage(await this.#roleOf(conversationId, auth.userId));
    await this.#store.members.setMutedAll(conversationId, muted);
    this.#events.membersChanged(conversationId);
    this.#events.toMembers(conversationId, 'conversation.muted', {
      conversation_id: conversationId,
      muted_all: muted,
    });
  }

  async #roleOf(conversationId: string, userId: string): Promise<Role> {
    const member = await this.#store.members.get(conversationId, userId);
    if (member === undefined) {
      throw appError('NOT_A_MEMBER', 'You are not a member of this conversation.');
    }
    return member.role;
  }

  async #target(conversationId: string, userId: string) {
    const target = await this.#store.members.get(conversationId, userId);
    if (target === undefined) throw appError('MEMBER_NOT_FOUND', 'That user is not a member.');
    return target;
  }

  #memberUpdated(conversationId: string, userId: string, role: Role, mutedUntil: number | null) {
    this.#events.toMembers(conversationId, 'group.member_updated', {
      conversation_id: conversationId,
      user_id: userId,
      role,
      muted_until: mutedUntil,
    });
  }
}
