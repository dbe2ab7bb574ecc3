/** Objects of the Parley protocol v1 (docs/protocol.md). */

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export interface User {
  user_id: string;
  username: string;
  nickname: string;
  avatar_url: string;
  bio: string;
  is_guest: boolean;
  created_at: number;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  /** Seconds until the access token expires. */
  expires_in: number;
  session_id: string;
  device_id: string;
}

export interface AuthResult extends Tokens {
  user: User;
}

export interface Session {
  session_id: string;
  device_id: string;
  user_agent: string;
  ip: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  current: boolean;
}

export interface TokenInfo {
  valid: true;
  user_id: string;
  session_id: string;
  is_guest: boolean;
  expires_at: number;
}

export interface UserPage {
  users: User[];
  next_cursor: string | null;
}
