/** Wire schemas of the friends and blocks endpoints. */
import { z } from 'zod';
import { FRIEND_REQUEST_MESSAGE_MAX, FRIEND_REQUEST_STATUSES } from '../domain/social.js';
import { named, User } from './rest-schemas.js';
import { id } from './ws-schemas.js';

export const FriendRequest = named(
  z.object({
    request_id: z.string(),
    from_user_id: z.string(),
    to_user_id: z.string(),
    status: z.enum(FRIEND_REQUEST_STATUSES),
    message: z.string(),
    created_at: z.number().int(),
    updated_at: z.number().int(),
  }),
  'FriendRequest',
);

export const FriendRequestEnvelope = z.object({ request: FriendRequest });

const queryLimit = z.coerce.number().int().min(1).max(100);
const cursor = z.string().max(64).describe('next_cursor of the previous page.');

export const SendFriendRequestBody = z.object({
  user_id: id,
  message: z
    .string()
    .max(FRIEND_REQUEST_MESSAGE_MAX)
    .optional()
    .describe('A note for the recipient (trimmed, no control characters).'),
});

export const FriendRequestParams = z.object({ request_id: id });

export const FriendRequestListQuery = z.object({
  direction: z
    .enum(['incoming', 'outgoing'])
    .default('incoming')
    .describe('incoming: requests to the caller; outgoing: requests from the caller.'),
  limit: queryLimit.optional(),
  cursor: cursor.optional(),
});

export const PageQuery = z.object({ limit: queryLimit.optional(), cursor: cursor.optional() });

export const BlockBody = z.object({ user_id: id });

export const FriendRequestList = z.object({
  requests: z.array(FriendRequest),
  next_cursor: z.string().nullable(),
});
export const FriendList = z.object({ friends: z.array(User), next_cursor: z.string().nullable() });
export const BlockedList = z.object({ users: z.array(User), next_cursor: z.string().nullable() });
