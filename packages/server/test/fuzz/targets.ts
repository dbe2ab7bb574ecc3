import { json, type TestServer } from '../support/test-server.js';
import type { HttpTargets } from './http-edge.js';

let counter = 0;

/**
 * A fresh user with a group of their own and one message in it, and a second user: real ids
 * for a batch of cases (a batch may log the user out or leave the group, so each gets its own).
 */
export async function freshTargets(server: TestServer): Promise<HttpTargets> {
  const register = async () => {
    const res = await server.fetch(
      '/v1/auth/register',
      json({
        username: `fz${process.pid.toString(36)}${(counter++).toString(36)}`,
        password: 'fuzzing the edges',
      }),
    );
    if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { access_token: string; session_id: string; user: { user_id: string } };
  };
  const [me, other] = await Promise.all([register(), register()]);
  const auth = { authorization: `Bearer ${me.access_token}` };
  const group = await server.fetch('/v1/groups', json({ name: 'Fuzz', member_ids: [] }, auth));
  if (group.status !== 201) throw new Error(`group: ${group.status} ${JSON.stringify(group.body)}`);
  const conversationId = group.body.group.conversation_id as string;
  await server.fetch(
    `/v1/conversations/${conversationId}/messages`,
    json({ client_msg_id: 'seed', type: 'text', content: { text: 'first' } }, auth),
  );
  return {
    token: me.access_token,
    userId: me.user.user_id,
    otherUserId: other.user.user_id,
    groupId: group.body.group.group_id as string,
    conversationId,
    sessionId: me.session_id,
  };
}
