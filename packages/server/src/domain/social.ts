/** The social graph: friend requests, friendships and blocks. */
import { hasControlCharacters } from './user.js';
import { invalidArgument } from './errors.js';

export const FRIEND_REQUEST_STATUSES = ['pending', 'accepted', 'rejected', 'canceled'] as const;
export type FriendRequestStatus = (typeof FRIEND_REQUEST_STATUSES)[number];

/** The statuses a pending request can be settled to. */
export type SettledStatus = Exclude<FriendRequestStatus, 'pending'>;

export interface FriendRequestRecord {
  readonly id: string;
  readonly fromUserId: string;
  readonly toUserId: string;
  readonly message: string;
  readonly status: FriendRequestStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One side of a friendship (each friendship is stored as two of these). */
export interface FriendshipRecord {
  readonly userId: string;
  readonly friendId: string;
  readonly createdAt: number;
}

export interface BlockRecord {
  readonly blockerId: string;
  readonly blockedId: string;
  readonly createdAt: number;
}

/** The friend request object of the public protocol. */
export interface PublicFriendRequest {
  readonly request_id: string;
  readonly from_user_id: string;
  readonly to_user_id: string;
  readonly status: FriendRequestStatus;
  readonly message: string;
  readonly created_at: number;
  readonly updated_at: number;
}

export const toPublicFriendRequest = (request: FriendRequestRecord): PublicFriendRequest => ({
  request_id: request.id,
  from_user_id: request.fromUserId,
  to_user_id: request.toUserId,
  status: request.status,
  message: request.message,
  created_at: request.createdAt,
  updated_at: request.updatedAt,
});

/** The same key for a pair of users whichever of them comes first. */
export const pairKey = (userA: string, userB: string): string =>
  userA < userB ? `${userA}:${userB}` : `${userB}:${userA}`;

export const FRIEND_REQUEST_MESSAGE_MAX = 200;

/** Trims the note sent with a friend request; refuses control characters and long notes. */
export function normalizeRequestMessage(message: string | undefined): string {
  const trimmed = (message ?? '').trim();
  if (trimmed.length > FRIEND_REQUEST_MESSAGE_MAX) {
    throw invalidArgument(
      `message must be at most ${FRIEND_REQUEST_MESSAGE_MAX} characters.`,
      'message',
    );
  }
  if (hasControlCharacters(trimmed)) {
    throw invalidArgument('message must not contain control characters.', 'message');
  }
  return trimmed;
}
