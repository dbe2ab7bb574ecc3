import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { EtcdMembership } from '../../src/adapters/registry/membership-etcd.js';
import { MemoryMembership } from '../../src/adapters/registry/membership-memory.js';
import type { Membership, NodeRecord } from '../../src/ports/membership.js';
import { installErrorHandling } from '../../src/transports/http/error-handler.js';
import {
  registerAdminRoutes,
  type AdminRouteOptions,
} from '../../src/transports/http/routes/admin-routes.js';
import { expectError } from '../support/expect-error.js';
import { startTestServer, testStorage } from '../support/test-server.js';
import { freePort } from '../support/ports.js';

const TOKEN = 'an-operator-token-0f-some-length';

const self: NodeRecord = {
  node_id: 'gw-1',
  roles: ['gateway'],
  http_url: 'http://10.0.0.5:8080',
  version: '0.1.0',
  started_at: '2025-11-20T10:00:00.000Z',
};

/** The admin routes on a Fastify app with Parley's validation and error handling. */
async function adminApp(options: AdminRouteOptions): Promise<FastifyInstance> {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app, 1024 * 1024);
  await registerAdminRoutes(app, options);
  await app.ready();
  return app;
}

async function get(app: FastifyInstance, authorization?: string) {
  const res = await app.inject({
    method: 'GET',
    url: '/v1/admin/nodes',
    headers: authorization === undefined ? {} : { authorization },
  });
  return { status: res.statusCode, headers: new Headers(), body: res.json() };
}

describe('GET /v1/admin/nodes', () => {
  const cleanup: Array<() => Promise<void>> = [];
  const open = async (adminToken: string | undefined, membership: Membership) => {
    const app = await adminApp({ adminToken, membership });
    cleanup.push(async () => {
      await app.close();
      await membership.close();
    });
    return app;
  };
  afterEach(async () => {
    for (const close of cleanup.splice(0)) await close();
  });

  it('lists the nodes for the admin token', async () => {
    const membership = new MemoryMembership();
    await membership.register(self);
    const app = await open(TOKEN, membership);
    const res = await get(app, `Bearer ${TOKEN}`);
    expect(res).toMatchObject({ status: 200, body: { nodes: [self] } });
  });

  it('answers 401 without the token or with another one', async () => {
    const membership = new MemoryMembership();
    await membership.register(self);
    const app = await open(TOKEN, membership);
    for (const header of [
      undefined,
      '',
      TOKEN,
      `Basic ${TOKEN}`,
      'Bearer wrong',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
    ]) {
      const res = await get(app, header);
      expectError(res, 401, 'UNAUTHENTICATED');
      expect(res.body.nodes).toBeUndefined();
    }
  });

  it('answers 404 when no admin token is configured, whatever the caller sends', async () => {
    for (const adminToken of [undefined, '']) {
      const app = await open(adminToken, new MemoryMembership());
      for (const header of [undefined, 'Bearer ', `Bearer ${TOKEN}`]) {
        const res = await get(app, header);
        expectError(res, 404, 'NOT_FOUND');
        expect(res.body.error.message).toContain('PARLEY_ADMIN_TOKEN');
      }
    }
  });

  it('answers 503 when the membership store does not answer', async () => {
    const membership = new EtcdMembership({
      endpoints: [`http://127.0.0.1:${await freePort()}`],
      requestTimeoutMs: 300,
    });
    const app = await open(TOKEN, membership);
    const res = await get(app, `Bearer ${TOKEN}`);
    expectError(res, 503, 'UNAVAILABLE');
  });
});

describe('GET /v1/admin/nodes on a real Parley server', () => {
  it('answers over HTTP in the protocol shape, with a trace id', async () => {
    const storage = await testStorage('sqlite');
    const { parley } = await startTestServer(storage, { admin_token: TOKEN, node_id: 'solo-1' });
    try {
      const ok = await fetch(`${parley.url()}/v1/admin/nodes`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(ok.status).toBe(200);
      const { nodes } = (await ok.json()) as { nodes: NodeRecord[] };
      expect(nodes).toEqual([
        {
          node_id: 'solo-1',
          roles: ['gateway', 'api', 'worker'],
          http_url: parley.url(),
          grpc_addr: `127.0.0.1:${parley.grpcPort()}`,
          version: expect.any(String),
          started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ]);
      const refused = await fetch(`${parley.url()}/v1/admin/nodes`);
      expect(refused.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-/);
      expectError(
        { status: refused.status, headers: refused.headers, body: await refused.json() },
        401,
        'UNAUTHENTICATED',
      );
    } finally {
      await parley.stop();
      storage.dispose();
    }
  });
});
