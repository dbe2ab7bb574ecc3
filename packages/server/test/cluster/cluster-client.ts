/** Calls a cluster test makes against its nodes: accounts over the api, sockets on a gateway. */
import { expect } from 'vitest';
import { WsTestClient } from '../support/ws-test-client.js';

export const PASSWORD = 'correct horse battery';

export interface Account {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly user: { readonly user_id: string; readonly username: string };
}

export async function call(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

let counter = 0;

export async function register(api: string, prefix: string, device = 'd1'): Promise<Account> {
  const username = `${prefix}${process.pid}x${counter++}`;
  return call(api, 'POST', '/v1/auth/register', undefined, {
    username,
    password: PASSWORD,
    device_id: device,
  });
}

export async function connect(gateway: string, who: Account): Promise<WsTestClient> {
  return WsTestClient.connect(gateway, who.access_token);
}

export async function send(
  ws: WsTestClient,
  conversationId: string,
  clientMsgId: string,
  text: string,
): Promise<{ seq: number; id: string }> {
  const data = await ws.call('message.send', {
    conversation_id: conversationId,
    client_msg_id: clientMsgId,
    type: 'text',
    content: { text },
  });
  expect(data.message.seq).toBeGreaterThan(0);
  return data.message;
}

/** Frames of `event` seen by `ws` about `conversationId`. */
export function messagesIn(
  ws: WsTestClient,
  conversationId: string,
): { seq: number; text: string }[] {
  return ws
    .events('message.new')
    .map((f) => f.data.message)
    .filter((m) => m.conversation_id === conversationId)
    .map((m) => ({ seq: m.seq, text: m.content.text }));
}

/** `n` accounts, registered a few at a time. */
export async function registerMany(api: string, prefix: string, n: number): Promise<Account[]> {
  const made: Account[] = [];
  for (let i = 0; i < n; i += 8) {
    const chunk = Array.from({ length: Math.min(8, n - i) }, () => register(api, prefix));
    made.push(...(await Promise.all(chunk)));
  }
  return made;
}

/** The single conversation of `a` and `b`; its id. */
export async function directConversation(api: string, a: Account, b: Account): Promise<string> {
  const body = { user_id: b.user.user_id };
  return (await call(api, 'POST', '/v1/conversations', a.access_token, body)).conversation
    .conversation_id;
}

/** A group of `owner` and `members`; its conversation id. */
export async function createGroup(
  api: string,
  owner: Account,
  members: Account[],
): Promise<string> {
  const body = { name: 'group', member_ids: members.map((m) => m.user.user_id) };
  return (await call(api, 'POST', '/v1/groups', owner.access_token, body)).group.conversation_id;
}
