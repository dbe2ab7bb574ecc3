import {
  GroupServiceService,
  type CreateGroupRequest,
  type CreateGroupResponse,
  type Empty,
  type GetGroupMembersRequest,
  type GetGroupMembersResponse,
  type GetGroupRequest,
  type GetGroupResponse,
  type GetOnlineGroupMembersRequest,
  type GetOnlineGroupMembersResponse,
  type JoinGroupRequest,
  type LeaveGroupRequest,
} from '@parley/proto';
import type { PresenceService } from '../../app/presence/presence-service.js';
import { invalidArgument } from '../../domain/errors.js';
import { JOIN_POLICIES, type JoinPolicy } from '../../domain/group.js';
import type { GroupServices } from '../http/routes/group-routes.js';
import { authedUnary, type CallGuard } from './grpc-call.js';
import { toConversation, toGroup, toGroupMember } from './grpc-codec.js';
import { boundedText, cursorOf, limitOf, requireId } from './grpc-input.js';
import type { GrpcServer } from './grpc-server.js';

const MEMBERS_DEFAULT = 100;
const MEMBERS_MAX = 500;
/** Members read per step when looking for the online ones (one presence round trip each). */
const ONLINE_BATCH = 500;

/** im.api.GroupService: the group use cases of /v1/groups, and who of a group is online where. */
export function addGroupService(
  server: GrpcServer,
  guard: CallGuard,
  s: GroupServices,
  presence: Pick<PresenceService, 'gatewaysOf'>,
): void {
  const groupId = (value: string) => requireId(value, 'group_id');
  server.add('im.api.GroupService', GroupServiceService, {
    createGroup: authedUnary<CreateGroupRequest, CreateGroupResponse>(
      guard,
      'CreateGroup',
      async (req, { auth }) => {
        const created = await s.groups.create(auth, {
          name: req.groupName,
          memberIds: req.memberIds.map((id) => requireId(id, 'member_ids')),
          avatarUrl: req.avatarUrl === '' ? undefined : req.avatarUrl,
          notice: req.notice === '' ? undefined : req.notice,
          joinPolicy: joinPolicyOf(req.joinPolicy),
        });
        return {
          group: toGroup(created.group),
          conversation: toConversation(created.conversation, created.group),
          invitedIds: created.invited,
        };
      },
    ),
    getGroup: authedUnary<GetGroupRequest, GetGroupResponse>(
      guard,
      'GetGroup',
      async (req, { auth }) => ({ group: toGroup(await s.groups.get(auth, groupId(req.groupId))) }),
    ),
    getGroupMembers: authedUnary<GetGroupMembersRequest, GetGroupMembersResponse>(
      guard,
      'GetGroupMembers',
      async (req, { auth }) => {
        const page = await s.groups.members(
          auth,
          groupId(req.groupId),
          limitOf(req.limit, 'limit', MEMBERS_MAX) ?? MEMBERS_DEFAULT,
          cursorOf(req.cursor),
        );
        return {
          members: page.members.map(toGroupMember),
          nextCursor: page.next_cursor ?? '',
        };
      },
    ),
    // Open groups are joined at once; an approval group gets a request (the managers decide).
    joinGroup: authedUnary<JoinGroupRequest, Empty>(guard, 'JoinGroup', async (req, { auth }) => {
      await s.membership.join(auth, groupId(req.groupId), boundedText(req.message, 'message', 500));
      return {};
    }),
    leaveGroup: authedUnary<LeaveGroupRequest, Empty>(
      guard,
      'LeaveGroup',
      async (req, { auth }) => {
        await s.membership.leave(auth, groupId(req.groupId));
        return {};
      },
    ),
    getOnlineGroupMembers: authedUnary<GetOnlineGroupMembersRequest, GetOnlineGroupMembersResponse>(
      guard,
      'GetOnlineGroupMembers',
      async (req, { auth }) => {
        const id = groupId(req.groupId);
        const members: { userId: string; gatewayId: string }[] = [];
        let cursor: string | undefined;
        do {
          const page = await s.groups.members(auth, id, ONLINE_BATCH, cursor);
          const gateways = await presence.gatewaysOf(page.members.map((m) => m.user_id));
          for (const [userId, ids] of gateways) {
            for (const gatewayId of ids) members.push({ userId, gatewayId });
          }
          cursor = page.next_cursor ?? undefined;
        } while (cursor !== undefined);
        return { members };
      },
    ),
  });
}

function joinPolicyOf(value: string): JoinPolicy | undefined {
  if (value === '') return undefined;
  if (!(JOIN_POLICIES as readonly string[]).includes(value)) {
    throw invalidArgument(`join_policy must be one of ${JOIN_POLICIES.join(', ')}.`, 'join_policy');
  }
  return value as JoinPolicy;
}
