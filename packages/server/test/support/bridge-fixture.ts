/** Worker-side helpers of the bridge tests (BRIDGE.md): tokens, items and payloads. */
import { expect } from 'vitest';
import { json, type TestServer } from './test-server.js';

export const ADMIN = 'an-operator-token-0f-some-length';

export async function createWorkerToken(
  server: TestServer,
  name = 'crawler',
): Promise<{ id: string; token: string }> {
  const res = await server.fetch(
    '/v1/admin/worker-tokens',
    json({ name }, { authorization: `Bearer ${ADMIN}` }),
  );
  expect(res.status).toBe(201);
  return { id: res.body.worker_token.id, token: res.body.token };
}

export const pushHttp = (server: TestServer, token: string, body: unknown) =>
  server.fetch('/v1/bridge/sync', json(body, { authorization: `Bearer ${token}` }));

export const grant = (server: TestServer, bearer: string, accountId: string, userId: string) =>
  server.fetch(
    `/v1/bridge/accounts/${encodeURIComponent(accountId)}/grants`,
    json({ user_id: userId }, { authorization: `Bearer ${bearer}` }),
  );

export const withdraw = (server: TestServer, bearer: string, accountId: string, userId: string) =>
  server.fetch(
    `/v1/bridge/accounts/${encodeURIComponent(accountId)}/grants/${encodeURIComponent(userId)}`,
    { method: 'DELETE', headers: { authorization: `Bearer ${bearer}` } },
  );

export const workerMessage = (
  accountId: string,
  id: string,
  content: string,
  createdAt = 1_000,
  more: Record<string, unknown> = {},
) => ({
  id,
  messageId: id,
  accountId,
  platform: 'douyin',
  conversationId: 'conv-1',
  senderId: 'u-9',
  senderName: 'Nine',
  type: 'text',
  content,
  direction: 'inbound',
  createdAt,
  updatedAt: createdAt,
  someFieldTheWorkerAdded: { kept: true },
  ...more,
});

export type Lists = Partial<
  Record<'conversations' | 'messages' | 'comments' | 'contents' | 'notifications', unknown[]>
>;

export const syncPayload = (
  accountId: string,
  timestamp: number,
  data: Lists,
  mode?: 'snapshot' | 'delta',
) => ({
  accountId,
  platform: 'douyin',
  ...(mode !== undefined && { mode }),
  snapshot: { platform: 'douyin', data },
  timestamp,
});

export const stats = (inserted: number, updated: number, deleted: number, unchanged: number) => ({
  inserted,
  updated,
  deleted,
  unchanged,
});
