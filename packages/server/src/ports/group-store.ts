/**
 * Groups and the members of group and world conversations.
 *
 * Guarantees every adapter keeps (test/contract/group-store.contract.ts checks them):
 * - A group, its conversation and its first members are created in one transaction.
 * - `member_count` of a conversation always equals its number of member rows, under any mix
 *   of concurrent adds and removes: each add and remove changes the count in the transaction
 *   that changes the row, and only when the row really changed.
 * - `add` never takes a conversation past `maxMembers`: it fails with FAILED_PRECONDITION
 *   and adds nobody.
 * - `resolveJoinRequest` changes a pending request for exactly one of concurrent callers.
 * - `GroupInvitationRepository.resolve` settles a pending invitation for exactly one of
 *   concurrent callers; `invite` never invites a member.
 */
import type { GroupRecord, JoinPolicy, MemberRecord, Role } from '../domain/group.js';

export interface NewGroup {
  readonly id: string;
  readonly conversationId: string;
  readonly name: string;
  readonly avatarUrl: string;
  readonly notice: string;
  readonly ownerId: string;
  readonly joinPolicy: JoinPolicy;
  readonly createdAt: number;
}

export interface GroupPatch {
  readonly name?: string;
  readonly avatarUrl?: string;
  readonly notice?: string;
  readonly joinPolicy?: JoinPolicy;
}

export type JoinRequestStatus = 'pending' | 'approved' | 'rejected';

export interface JoinRequestRecord {
  readonly groupId: string;
  readonly userId: string;
  readonly message: string;
  readonly status: JoinRequestStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface GroupRepository {
  /** The group, its conversation, the owner (role owner) and the other members. */
  create(group: NewGroup, memberIds: readonly string[], maxMembers: number): Promise<void>;
  /** A group that exists and is not dissolved. */
  find(groupId: string): Promise<GroupRecord | undefined>;
  update(groupId: string, patch: GroupPatch, at: number): Promise<GroupRecord | undefined>;
  /** Sets the new owner (role owner) and makes the old one an admin, in one transaction. */
  transferOwnership(
    groupId: string,
    fromUserId: string,
    toUserId: string,
    at: number,
  ): Promise<void>;
  /** Marks the group dissolved and removes every member; false if it already was. */
  dissolve(groupId: string, at: number): Promise<boolean>;
  /** Creates or renews (back to pending) a user's request to join. */
  requestToJoin(
    groupId: string,
    userId: string,
    message: string,
    at: number,
  ): Promise<JoinRequestRecord>;
  joinRequests(groupId: string): Promise<JoinRequestRecord[]>;
  resolveJoinRequest(
    groupId: string,
    userId: string,
    status: 'approved' | 'rejected',
    at: number,
  ): Promise<JoinRequestRecord | undefined>;
}

export interface PostingState {
  readonly role: Role;
  readonly mutedUntil: number | null;
  readonly mutedAll: boolean;
}

export interface MemberRepository {
  get(conversationId: string, userId: string): Promise<MemberRecord | undefined>;
  /** Members ordered by user id, after the cursor. */
  page(
    conversationId: string,
    afterUserId: string | undefined,
    limit: number,
  ): Promise<MemberRecord[]>;
  /** Adds those not yet members; returns them. FAILED_PRECONDITION (nobody added) past maxMembers. */
  add(
    conversationId: string,
    userIds: readonly string[],
    role: Role,
    at: number,
    maxMembers: number,
  ): Promise<string[]>;
  /** True when the user was a member. */
  remove(conversationId: string, userId: string): Promise<boolean>;
  setRole(conversationId: string, userId: string, role: Role): Promise<boolean>;
  setMutedUntil(conversationId: string, userId: string, until: number | null): Promise<boolean>;
  setMutedAll(conversationId: string, mutedAll: boolean): Promise<void>;
  /** What the send path needs to decide whether a member may post: one read. */
  posting(conversationId: string, userId: string): Promise<PostingState | undefined>;
  /** The owner and admins. */
  managers(conversationId: string): Promise<string[]>;
}

export type InvitationStatus = 'pending' | 'accepted' | 'declined';

export interface InvitationRecord {
  readonly groupId: string;
  /** The group's name, for the invitee's list. */
  readonly groupName: string;
  readonly userId: string;
  readonly invitedBy: string;
  readonly status: InvitationStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface InvitationResult {
  /** Every named user who is not a member: each now has a pending invitation. */
  readonly invited: string[];
  /** Those of them whose invitation this call created or renewed (the ones to tell). */
  readonly fresh: string[];
}

/** Invitations to groups: an invited user becomes a member only by accepting. */
export interface GroupInvitationRepository {
  /**
   * Invites the users who are not members of the group. A pending invitation is left as it is,
   * an accepted one (the user left since) is renewed, a declined one stays declined: those
   * users are reported in `invited` but not in `fresh`.
   */
  invite(
    group: { readonly id: string; readonly conversationId: string },
    userIds: readonly string[],
    invitedBy: string,
    at: number,
  ): Promise<InvitationResult>;
  /** A user's pending invitations to groups that still exist, newest first. */
  pendingFor(userId: string, limit: number): Promise<InvitationRecord[]>;
  /** Settles a pending invitation; undefined when there is none (or another call settled it). */
  resolve(
    groupId: string,
    userId: string,
    status: 'accepted' | 'declined',
    at: number,
  ): Promise<InvitationRecord | undefined>;
}
