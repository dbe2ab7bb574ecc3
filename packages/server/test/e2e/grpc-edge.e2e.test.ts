// The gRPC edge (docs/grpc.md): metadata auth, ErrorInfo and trace ids, the same reasons as
// REST and WebSocket, size limits, health, reflection, per-user rate limits, and bad input
// answered INVALID_ARGUMENT with the server fine (Subscribe: grpc-subscribe.e2e.test.ts).
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eServer } from '../support/e2e-fixture.js';
import { bearer, call, grpcClients, ok } from '../support/grpc-test-client.js';
import { responseHeaderOf } from '../../src/transports/grpc/grpc-errors.js';

const MAX_MESSAGE = 64 * 1024;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('the gRPC edge', () => {
  const t = e2eServer('sqlite', { grpc_max_message_bytes: MAX_MESSAGE });
  let g: ReturnType<typeof grpcClients>;
  let raw: Client;
  beforeAll(() => {
    const address = `127.0.0.1:${t.server.parley.grpcPort()}`;
    g = grpcClients(address);
    raw = new Client(address, credentials.createInsecure());
  });
  afterAll(() => {
    g.close();
    raw.close();
  });

  const register = async (name: string) => {
    const who = await t.account(name);
    return { who, id: who.user.user_id, meta: () => bearer(who.access_token) };
  };
  const header = (fields: { traceId?: string; userId?: string }) => ({
    traceId: '',
    userId: '',
    timestamp: 0,
    ...fields,
  });
  /** One raw unary call: the status code and response bytes. */
  const rawCall = (path: string, bytes: Buffer, metadata = new Metadata()) =>
    new Promise<{ code: number; bytes?: Buffer }>((resolve) =>
      raw.makeUnaryRequest(
        path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        bytes,
        metadata,
        (err: ServiceError | null, res?: Buffer) =>
          resolve({ code: err?.code ?? status.OK, ...(res && { bytes: res }) }),
      ),
    );

  it('takes the caller from the token: none is UNAUTHENTICATED, another user_id PERMISSION_DENIED', async () => {
    const alice = await register('ga');
    const bob = await register('gb');
    const none = await call(g.users, 'getUser', { userId: alice.id });
    expect([none.err?.code, none.info?.reason, none.info?.domain]).toEqual([
      status.UNAUTHENTICATED,
      'TOKEN_MISSING',
      'parley',
    ]);
    expect(none.info?.metadata.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const forged = await call(g.users, 'getUser', { userId: alice.id }, bearer('forged'));
    expect(forged.err?.code).toBe(status.UNAUTHENTICATED);
    const spoof = await call(
      g.users,
      'getUser',
      { header: header({ userId: bob.id }), userId: alice.id },
      alice.meta(),
    );
    expect([spoof.err?.code, spoof.info?.reason]).toEqual([
      status.PERMISSION_DENIED,
      'USER_ID_MISMATCH',
    ]);
    const own = await call(
      g.users,
      'getUser',
      { header: header({ userId: alice.id }), userId: bob.id },
      alice.meta(),
    );
    expect(own.res?.user.userId).toBe(bob.id);
  });

  it('returns the trace id in ResponseHeader and trailers, from the header, traceparent, or new', async () => {
    const alice = await register('gt');
    const fromHeader = await call(
      g.users,
      'getUser',
      { header: header({ traceId: TRACE }), userId: alice.id },
      alice.meta(),
    );
    expect(fromHeader.res?.header.traceId).toBe(TRACE);
    expect(fromHeader.trailers?.get('x-trace-id')).toEqual([TRACE]);
    const other = 'aaaabbbbccccddddeeeeffff00001111';
    const viaTraceparent = await call(
      g.users,
      'getUser',
      { userId: 'nobody' },
      bearer(alice.who.access_token, { traceparent: `00-${other}-00f067aa0ba902b7-01` }),
    );
    expect([viaTraceparent.err?.code, viaTraceparent.info?.metadata.trace_id]).toEqual([
      status.NOT_FOUND,
      other,
    ]);
    expect(viaTraceparent.err?.metadata.get('x-trace-id')).toEqual([other]);
    // The ResponseHeader a failed call has no body for travels in the trailers.
    expect(viaTraceparent.err && responseHeaderOf(viaTraceparent.err)).toEqual({
      traceId: other,
      code: status.NOT_FOUND,
      message: viaTraceparent.err?.details,
    });
  });

  it('gives an error the same reason over gRPC, REST and WebSocket', async () => {
    const alice = await register('gr');
    const grpc = await call(
      g.conversations,
      'getConversationInfo',
      { conversationId: 'g_nope' },
      alice.meta(),
    );
    const rest = await t.get('/v1/conversations/g_nope', alice.who);
    const socket = await t.connect(alice.who);
    const ws = await socket.request('conversation.get', { conversation_id: 'g_nope' });
    expect([grpc.err?.code, grpc.info?.reason]).toEqual([
      status.NOT_FOUND,
      'CONVERSATION_NOT_FOUND',
    ]);
    expect(rest.body.error).toMatchObject({ code: 'NOT_FOUND', reason: 'CONVERSATION_NOT_FOUND' });
    expect(ws.error).toMatchObject({ code: 'NOT_FOUND', reason: 'CONVERSATION_NOT_FOUND' });
  });

  it('refuses a message over the size limit, and undecodable bytes with INVALID_ARGUMENT; the server is fine', async () => {
    const alice = await register('ba');
    const huge = await call(
      g.users,
      'searchUser',
      { keyword: 'x'.repeat(MAX_MESSAGE + 1) },
      alice.meta(),
    );
    expect(huge.err?.code).toBe(status.RESOURCE_EXHAUSTED);
    const methods = [
      '/im.api.AuthService/Login',
      '/im.api.ConversationService/GetConversations',
      '/im.api.MessageService/SendMessage',
      '/im.api.UserService/GetUser',
      '/im.api.GroupService/CreateGroup',
      '/im.ext.ExtCallbackService/Complete',
    ];
    for (const path of methods) {
      const garbage = await rawCall(
        path,
        Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]),
        alice.meta(),
      );
      expect(garbage.code, path).toBe(status.INVALID_ARGUMENT);
      // Field 2 of GetUserRequest (a string) sent as a varint: a wrong type for the field.
      const wrongType = await rawCall(path, Buffer.from([0x10, 0x05]), alice.meta());
      expect(
        [
          status.INVALID_ARGUMENT,
          status.OK,
          status.PERMISSION_DENIED,
          status.NOT_FOUND,
          status.UNAUTHENTICATED,
        ],
        path,
      ).toContain(wrongType.code);
    }
    const stillFine = await ok(g.users, 'getUser', { userId: alice.id }, alice.meta());
    expect(stillFine.user.userId).toBe(alice.id);
  });

  it('serves health and reflection: a reflection client lists every service', async () => {
    const health = await rawCall('/grpc.health.v1.Health/Check', Buffer.alloc(0));
    expect([health.code, health.bytes]).toEqual([status.OK, Buffer.from([0x08, 0x01])]);
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const stream = raw.makeBidiStreamRequest(
        '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
        (b: Buffer) => b,
        (b: Buffer) => b,
      );
      stream.on('data', (b: Buffer) => {
        resolve(b);
        stream.end();
      });
      stream.on('error', reject);
      stream.write(Buffer.from([0x3a, 0x00])); // list_services: ""
    });
    const listed = answer.toString('latin1');
    for (const name of [
      'im.api.AuthService',
      'im.api.ConversationService',
      'im.api.MessageService',
      'im.api.UserService',
      'im.api.GroupService',
      'im.ext.ExtCallbackService',
      'grpc.health.v1.Health',
    ]) {
      expect(listed).toContain(name);
    }
  });
});

describe('the gRPC per-user rate limit', () => {
  const t = e2eServer('sqlite', { grpc_rate_per_second: 1, grpc_rate_burst: 2 });

  it('refuses calls past the burst with RESOURCE_EXHAUSTED, RATE_LIMITED and retry_after_ms', async () => {
    const g = grpcClients(`127.0.0.1:${t.server.parley.grpcPort()}`);
    try {
      const who = await t.account('rl');
      const get = () =>
        call(g.users, 'getUser', { userId: who.user.user_id }, bearer(who.access_token));
      expect((await get()).err).toBeUndefined();
      expect((await get()).err).toBeUndefined();
      const limited = await get();
      expect([limited.err?.code, limited.info?.reason]).toEqual([
        status.RESOURCE_EXHAUSTED,
        'RATE_LIMITED',
      ]);
      expect(Number(limited.info?.metadata.retry_after_ms)).toBeGreaterThan(0);
    } finally {
      g.close();
    }
  });
});
