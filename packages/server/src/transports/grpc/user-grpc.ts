import {
  UserServiceService,
  type GetUserOnlineStatusRequest,
  type GetUserOnlineStatusResponse,
  type GetUserRequest,
  type GetUserResponse,
  type SearchUserRequest,
  type SearchUserResponse,
} from '@parley/proto';
import { SEARCH_PREFIX_PATTERN, type UserService } from '../../app/accounts/user-service.js';
import type { PresenceService } from '../../app/presence/presence-service.js';
import { invalidArgument } from '../../domain/errors.js';
import { authedUnary, type CallGuard } from './grpc-call.js';
import { toUser } from './grpc-codec.js';
import { cursorOf, limitOf, requireId } from './grpc-input.js';
import type { GrpcServer } from './grpc-server.js';

const SEARCH_DEFAULT = 20;
const SEARCH_MAX = 100;
const STATUS_MAX = 100;

/** im.api.UserService: profiles, search, and online state (cluster-wide through Presence). */
export function addUserService(
  server: GrpcServer,
  guard: CallGuard,
  users: UserService,
  presence: Pick<PresenceService, 'statusFor'>,
): void {
  server.add('im.api.UserService', UserServiceService, {
    getUser: authedUnary<GetUserRequest, GetUserResponse>(guard, 'GetUser', async (req) => ({
      user: toUser(await users.get(requireId(req.userId, 'user_id'))),
    })),
    searchUser: authedUnary<SearchUserRequest, SearchUserResponse>(
      guard,
      'SearchUser',
      async (req) => {
        if (!SEARCH_PREFIX_PATTERN.test(req.keyword)) {
          throw invalidArgument(
            'keyword must be 1–32 characters of letters, digits, "_", "." or "-".',
            'keyword',
          );
        }
        const page = await users.search(
          req.keyword,
          limitOf(req.limit, 'limit', SEARCH_MAX) ?? SEARCH_DEFAULT,
          cursorOf(req.cursor),
        );
        return { users: page.users.map(toUser), nextCursor: page.next_cursor ?? '' };
      },
    ),
    getUserOnlineStatus: authedUnary<GetUserOnlineStatusRequest, GetUserOnlineStatusResponse>(
      guard,
      'GetUserOnlineStatus',
      async (req, { auth }) => {
        if (req.userIds.length === 0 || req.userIds.length > STATUS_MAX) {
          throw invalidArgument(`user_ids must name 1 to ${STATUS_MAX} users.`, 'user_ids');
        }
        const ids = [...new Set(req.userIds.map((id) => requireId(id, 'user_ids')))];
        const states = await presence.statusFor(auth.userId, ids);
        return {
          statuses: ids.map((userId) => {
            const state = states.get(userId);
            return {
              userId,
              isOnline: state?.online ?? false,
              lastSeen: state?.online === true ? 0 : (state?.lastSeen ?? 0),
            };
          }),
        };
      },
    ),
  });
}
