import type { TestServer } from '../test-server.js';
import type { Fixture } from './fixture.js';

/**
 * What the fixture's users can see of their shared state: a refused call must leave it as it
 * was. Read as the users who can see each part.
 */
export async function snapshot(server: TestServer, fx: Fixture): Promise<unknown> {
  const read = async (path: string, as: keyof Fixture['users']) => {
    const res = await server.fetch(path, {
      headers: { authorization: `Bearer ${fx.users[as].token}` },
    });
    return { path, status: res.status, body: res.body };
  };
  const g = `/v1/groups/${fx.groupId}`;
  return Promise.all([
    read(g, 'owner'),
    read(`${g}/members`, 'owner'),
    read(`${g}/join-requests`, 'owner'),
    read('/v1/groups/invitations', 'outsider'),
    read(`/v1/conversations/${fx.groupConversationId}/messages`, 'owner'),
    read(`/v1/conversations/${fx.groupConversationId}/changes`, 'owner'),
    read(`/v1/conversations/${fx.worldConversationId}`, 'owner'),
    read(`/v1/conversations/${fx.worldConversationId}/messages`, 'owner'),
    read(`/v1/conversations/${fx.dmConversationId}/messages`, 'peer'),
    read(`/v1/conversations/${fx.blockedConversationId}/messages`, 'peer'),
    read(`/v1/conversations/${fx.blockedConversationId}/changes`, 'peer'),
    read('/v1/blocks', 'peer'),
    read('/v1/friends', 'target'),
    read('/v1/friends/requests?direction=outgoing', 'target'),
    read('/v1/auth/sessions', 'member'),
  ]);
}
