/** Wire schemas of the group and world endpoints. */
import { z } from 'zod';
import { JOIN_POLICIES, ROLES } from '../domain/group.js';
import { named } from './rest-schemas.js';
import { id } from './ws-schemas.js';

export const Group = named(
  z.object({
    group_id: z.string(),
    group_name: z.string(),
    owner_id: z.string(),
    member_count: z.number().int(),
    created_at: z.number().int(),
    avatar_url: z.string(),
    notice: z.string(),
    join_policy: z.enum(JOIN_POLICIES),
    muted_all: z.boolean(),
    conversation_id: z.string(),
  }),
  'Group',
);

export const Member = named(
  z.object({
    user_id: z.string(),
    role: z.enum(ROLES),
    joined_at: z.number().int(),
    muted_until: z.number().int().nullable(),
  }),
  'Member',
);

export const JoinRequest = named(
  z.object({
    group_id: z.string(),
    user_id: z.string(),
    message: z.string(),
    status: z.enum(['pending', 'approved', 'rejected']),
    created_at: z.number().int(),
  }),
  'JoinRequest',
);

export const Invitation = named(
  z.object({
    group_id: z.string(),
    group_name: z.string(),
    user_id: z.string(),
    invited_by: z.string(),
    status: z.enum(['pending', 'accepted', 'declined']),
    created_at: z.number().int(),
    updated_at: z.number().int(),
  }),
  'Invitation',
);

/** Who a create or add-members request added, and who it invited. */
export const Admitted = {
  added: z
    .array(z.string())
    .describe('Added at once (friends, or anyone under group_add_policy anyone).'),
  invited: z.array(z.string()).describe('Invited: members once they accept.'),
};

export const World = named(
  z.object({
    conversation_id: z.string(),
    name: z.string(),
    member_count: z.number().int(),
    created_at: z.number().int(),
  }),
  'World',
);

export const GroupParams = z.object({ group_id: id });
export const GroupMemberParams = z.object({ group_id: id, user_id: id });
export const ConversationMemberParams = z.object({ id, user_id: id });

export const CreateGroupBody = z.object({
  name: z.string().min(1).max(64),
  member_ids: z.array(id).max(100_000).default([]),
  avatar_url: z.string().max(2048).optional(),
  notice: z.string().max(2_000).optional(),
  join_policy: z.enum(JOIN_POLICIES).optional(),
});
export const UpdateGroupBody = z
  .object({
    name: z.string().min(1).max(64).optional(),
    avatar_url: z.string().max(2048).optional(),
    notice: z.string().max(2_000).optional(),
    join_policy: z.enum(JOIN_POLICIES).optional(),
  })
  .strict();
export const JoinBody = z.object({ message: z.string().max(500).optional() }).nullish();
export const InviteBody = z.object({ user_ids: z.array(id).min(1).max(100_000) });
export const InvitationsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export const RoleBody = z.object({ role: z.enum(['admin', 'member']) });
export const MuteBody = z.object({
  duration_s: z
    .number()
    .int()
    .min(0)
    .max(366 * 24 * 3600)
    .describe('0 lifts the mute.'),
});
export const MuteAllBody = z.object({ muted: z.boolean() });
export const TransferBody = z.object({ user_id: id });
export const MembersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});
export const CreateWorldBody = z.object({ name: z.string().min(1).max(64) });
