import { appError } from '../../domain/errors.js';
import { permissions, type GroupRecord } from '../../domain/group.js';
import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { GroupAdmission } from './group-admission.js';
import type { GroupEvents } from './group-events.js';
import type { GroupService } from './group-service.js';
import {
  toPublicGroup,
  toPublicInvitation,
  toPublicJoinRequest,
  type PublicGroup,
} from './group-views.js';

export interface MembershipDeps {
  readonly store: Store;
  readonly groups: GroupService;
  readonly admission: GroupAdmission;
  readonly events: GroupEvents;
  readonly clock: Clock;
}

/**
 * Joining (open, by approval or by invitation only), adding and inviting, answering
 * invitations, leaving and kicking.
 */
export class MembershipService {
  readonly #store: Store;
  readonly #groups: GroupService;
  readonly #admission: GroupAdmission;
  readonly #events: GroupEvents;
  readonly #clock: Clock;
  readonly #maxMembers: number;

  constructor(deps: MembershipDeps, options: { maxMembers: number }) {
    this.#store = deps.store;
    this.#groups = deps.groups;
    this.#admission = deps.admission;
    this.#events = deps.events;
    this.#clock = deps.clock;
    this.#maxMembers = options.maxMembers;
  }

  /** Open: joined at once. Approval: a request the managers decide on. Invite: refused. */
  async join(auth: AuthContext, groupId: string, message = '') {
    const group = await this.#groups.find(groupId);
    if (await this.#store.members.get(group.conversationId, auth.userId)) {
      return { joined: true as const, group: toPublicGroup(group) };
    }
    switch (group.joinPolicy) {
      case 'open':
        await this.#add(group, [auth.userId], auth.userId);
        return { joined: true as const, group: await this.#view(groupId) };
      case 'approval': {
        const request = await this.#store.groups.requestToJoin(
          groupId,
          auth.userId,
          message.slice(0, 500),
          this.#clock.now(),
        );
        const data = { request: toPublicJoinRequest(request) };
        this.#events.toUsers(
          await this.#store.members.managers(group.conversationId),
          'group.join_requested',
          data,
        );
        return { joined: false as const, ...data };
      }
      case 'invite':
        throw appError('INVITE_ONLY', 'This group takes new members by invitation only.');
    }
  }

  async joinRequests(auth: AuthContext, groupId: string) {
    const group = await this.#groups.find(groupId);
    permissions.manage((await this.#groups.requireMember(group, auth.userId)).role);
    return (await this.#store.groups.joinRequests(groupId)).map(toPublicJoinRequest);
  }

  async decide(auth: AuthContext, groupId: string, userId: string, approve: boolean) {
    const group = await this.#groups.find(groupId);
    permissions.manage((await this.#groups.requireMember(group, auth.userId)).role);
    const status = approve ? 'approved' : 'rejected';
    const request = await this.#store.groups.resolveJoinRequest(
      groupId,
      userId,
      status,
      this.#clock.now(),
    );
    if (request === undefined)
      throw appError('JOIN_REQUEST_NOT_FOUND', 'No pending request from that user.');
    if (approve) await this.#add(group, [userId], auth.userId);
    const data = { request: toPublicJoinRequest(request) };
    this.#events.toUsers([userId], approve ? 'group.join_approved' : 'group.join_rejected', data);
    return data.request;
  }

  /**
   * Adds users (managers always, members only in open groups): those the group-add policy
   * allows at once, and invites the others.
   */
  async invite(
    auth: AuthContext,
    groupId: string,
    userIds: readonly string[],
  ): Promise<{ added: string[]; invited: string[] }> {
    this.#groups.assertRequestSize(userIds, 'user_ids');
    const group = await this.#groups.find(groupId);
    permissions.invite(
      (await this.#groups.requireMember(group, auth.userId)).role,
      group.joinPolicy,
    );
    const unique = [...new Set(userIds)].filter((id) => id !== auth.userId);
    await this.#groups.assertUsersExist(unique);
    const plan = await this.#admission.plan(auth, unique);
    const added = await this.#add(group, [...plan.add], auth.userId);
    const invited = await this.#admission.invite(group, plan, auth.userId);
    return { added, invited };
  }

  /** The caller's pending invitations, newest first. */
  async invitations(auth: AuthContext, limit: number) {
    return (await this.#store.groupInvitations.pendingFor(auth.userId, limit)).map(
      toPublicInvitation,
    );
  }

  /** Accepting makes the caller a member, whatever the group's join policy. */
  async accept(auth: AuthContext, groupId: string): Promise<PublicGroup> {
    const group = await this.#groups.find(groupId);
    const now = this.#clock.now();
    const added = await this.#store.transaction(async (tx) => {
      if (!(await tx.groupInvitations.resolve(groupId, auth.userId, 'accepted', now))) {
        throw noInvitation();
      }
      return tx.members.add(group.conversationId, [auth.userId], 'member', now, this.#maxMembers);
    });
    this.#joined(group, added, auth.userId);
    return this.#view(groupId);
  }

  async decline(auth: AuthContext, groupId: string) {
    const invitation = await this.#store.groupInvitations.resolve(
      groupId,
      auth.userId,
      'declined',
      this.#clock.now(),
    );
    if (invitation === undefined) throw noInvitation();
    return toPublicInvitation(invitation);
  }

  async leave(auth: AuthContext, groupId: string): Promise<void> {
    const group = await this.#groups.find(groupId);
    const member = await this.#groups.requireMember(group, auth.userId);
    if (member.role === 'owner') {
      throw appError(
        'OWNER_CANNOT_LEAVE',
        'The owner cannot leave: transfer ownership first, or dissolve the group.',
      );
    }
    await this.#remove(group, auth.userId, 'left', auth.userId);
  }

  async kick(auth: AuthContext, groupId: string, userId: string): Promise<void> {
    const group = await this.#groups.find(groupId);
    const actor = await this.#groups.requireMember(group, auth.userId);
    const target = await this.#store.members.get(group.conversationId, userId);
    if (target === undefined) throw appError('MEMBER_NOT_FOUND', 'That user is not a member.');
    permissions.moderate(actor.role, target.role);
    await this.#remove(group, userId, 'kicked', auth.userId);
  }

  async #add(group: GroupRecord, userIds: string[], by: string): Promise<string[]> {
    const added = await this.#store.members.add(
      group.conversationId,
      userIds,
      'member',
      this.#clock.now(),
      this.#maxMembers,
    );
    this.#joined(group, added, by);
    return added;
  }

  #joined(group: GroupRecord, added: string[], by: string): void {
    if (added.length === 0) return;
    this.#events.joined(group.conversationId, added, {
      group_id: group.id,
      conversation_id: group.conversationId,
      user_ids: added,
      count: added.length,
      by,
    });
  }

  async #remove(group: GroupRecord, userId: string, reason: 'left' | 'kicked', by: string) {
    if (await this.#store.members.remove(group.conversationId, userId)) {
      this.#events.left(group.conversationId, userId, {
        group_id: group.id,
        conversation_id: group.conversationId,
        user_id: userId,
        reason,
        by,
      });
    }
  }

  async #view(groupId: string): Promise<PublicGroup> {
    return toPublicGroup(await this.#groups.find(groupId));
  }
}

const noInvitation = () => appError('INVITATION_NOT_FOUND', 'No pending invitation to that group.');
