/** The social-graph tables (migration 0003-social) as kysely sees them. Times are milliseconds. */

export interface FriendRequestsTable {
  request_id: string;
  from_user_id: string;
  to_user_id: string;
  message: string;
  status: string;
  /** The two user ids sorted and joined: unique among pending requests. */
  pair_key: string;
  created_at: number;
  updated_at: number;
}

export interface FriendshipsTable {
  user_id: string;
  friend_id: string;
  created_at: number;
}

export interface BlocksTable {
  blocker_id: string;
  blocked_id: string;
  created_at: number;
}

export interface SocialTables {
  friend_requests: FriendRequestsTable;
  friendships: FriendshipsTable;
  blocks: BlocksTable;
}
