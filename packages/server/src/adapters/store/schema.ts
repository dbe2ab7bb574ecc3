import type { Generated } from 'kysely';
import type { BridgeTables } from './bridge-schema.js';
import type { DeviceTables } from './device-schema.js';
import type { SocialTables } from './social-schema.js';

/** The tables as kysely sees them. Times are integer milliseconds; flags are 0/1 integers. */

export interface UsersTable {
  id: string;
  username: string;
  username_key: string;
  password_hash: string | null;
  nickname: string;
  avatar_url: string;
  bio: string;
  is_guest: number;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  device_id: string;
  user_agent: string;
  ip: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  session_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface ConversationsTable {
  id: string;
  type: string;
  name: string;
  created_at: number;
  max_seq: Generated<number>;
  max_change_seq: Generated<number>;
  member_count: Generated<number>;
  last_activity_at: number;
  muted_all: Generated<number>;
}

export interface ConversationMembersTable {
  conversation_id: string;
  user_id: string;
  read_seq: Generated<number>;
  delivered_seq: Generated<number>;
  joined_at: number;
  role: Generated<string>;
  muted_until: number | null;
}

export interface MessagesTable {
  conversation_id: string;
  seq: number;
  id: string;
  sender_id: string;
  client_msg_id: string;
  type: string;
  content: string;
  status: string;
  created_at: number;
  edited_at: number | null;
}

export interface MessageChangesTable {
  conversation_id: string;
  change_seq: number;
  seq: number;
  kind: string;
  created_at: number;
}

export interface GroupsTable {
  id: string;
  conversation_id: string;
  name: string;
  avatar_url: string;
  notice: string;
  owner_id: string;
  join_policy: string;
  created_at: number;
  updated_at: number;
  dissolved_at: number | null;
}

export interface GroupJoinRequestsTable {
  group_id: string;
  user_id: string;
  message: string;
  status: string;
  created_at: number;
  updated_at: number;
}

export interface GroupInvitationsTable {
  group_id: string;
  user_id: string;
  invited_by: string;
  status: string;
  created_at: number;
  updated_at: number;
}

export interface ExtJobsTable {
  message_id: string;
  msg_type: string;
  attempts: Generated<number>;
  next_attempt_at: number;
  created_at: number;
}

export interface MessagingTables {
  ext_jobs: ExtJobsTable;
  groups: GroupsTable;
  group_join_requests: GroupJoinRequestsTable;
  group_invitations: GroupInvitationsTable;
  conversations: ConversationsTable;
  conversation_members: ConversationMembersTable;
  messages: MessagesTable;
  message_changes: MessageChangesTable;
}

export interface Database extends MessagingTables, SocialTables, DeviceTables, BridgeTables {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
}
