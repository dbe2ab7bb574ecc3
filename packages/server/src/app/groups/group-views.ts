import type { GroupRecord, JoinPolicy, MemberRecord, Role } from '../../domain/group.js';
import type { InvitationRecord, JoinRequestRecord } from '../../ports/group-store.js';

/** The Group object of the protocol. */
export interface PublicGroup {
  readonly group_id: string;
  readonly group_name: string;
  readonly owner_id: string;
  readonly member_count: number;
  readonly created_at: number;
  readonly avatar_url: string;
  readonly notice: string;
  readonly join_policy: JoinPolicy;
  readonly muted_all: boolean;
  readonly conversation_id: string;
}

export interface PublicMember {
  readonly user_id: string;
  readonly role: Role;
  readonly joined_at: number;
  readonly muted_until: number | null;
}

export const toPublicGroup = (g: GroupRecord): PublicGroup => ({
  group_id: g.id,
  group_name: g.name,
  owner_id: g.ownerId,
  member_count: g.memberCount,
  created_at: g.createdAt,
  avatar_url: g.avatarUrl,
  notice: g.notice,
  join_policy: g.joinPolicy,
  muted_all: g.mutedAll,
  conversation_id: g.conversationId,
});

export const toPublicMember = (m: MemberRecord): PublicMember => ({
  user_id: m.userId,
  role: m.role,
  joined_at: m.joinedAt,
  muted_until: m.mutedUntil,
});

export const toPublicJoinRequest = (r: JoinRequestRecord) => ({
  group_id: r.groupId,
  user_id: r.userId,
  message: r.message,
  status: r.status,
  created_at: r.createdAt,
});

export const toPublicInvitation = (r: InvitationRecord) => ({
  group_id: r.groupId,
  group_name: r.groupName,
  user_id: r.userId,
  invited_by: r.invitedBy,
  status: r.status,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
});
