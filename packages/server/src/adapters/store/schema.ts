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

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
}
