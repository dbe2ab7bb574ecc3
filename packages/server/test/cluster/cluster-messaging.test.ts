/**
 * Two gateways, an api and a worker, each its own process, on PostgreSQL, NATS, Redis and etcd:
 * users on different gateways exchange direct and group messages, typing, read receipts and
 * presence; a large group fans out through the worker; a logout closes sockets everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createMysqlDatabase } from '../support/mariadb-server.js';
import { createDatabase } from '../support/postgres-server.js';
import { eventually } from '../support/ws-test-client.js';
import {
  ADMIN_TOKEN,
  startCluster,
  TWO_GATEWAYS_API_WORKER,
  type Cluster,
} from '../support/cluster.js';
import { bearer, EventStream, grpcClients, ok } from '../support/grpc-test-client.js';
import { call, connect, messagesIn, register, send, type Account } from './cluster-client.js';

const DATABASES = {
  postgres: () => createDatabase(inject('postgresUrl')),
  mariadb: () => createMysqlDatabase(inject('mariadbUrl')),
};

describe.each(Object.keys(DATABASES) as (keyof typeof DATABASES)[])(
  'a cluster of two gateways, an api and a worker (%s)',
  (database) => {
    let cluster: Cluster;
    let api: string;
    let gw1: string;
    let gw2: string;
    const sockets: { close(): void }[] = [];

    beforeAll(async () => {
      cluster = await startCluster({
        databaseUrl: await DATABASES[database](),
        // A second api node, to show that limits are shared.
        nodes: [...TWO_GATEWAYS_API_WORKER, { name: 'api-2', role: 'api' }],
        env: {
          // Groups of more than 3 members fan out from the worker.
          PARLEY_FANOUT_WORKER_THRESHOLD: '3',
          PARLEY_LOGIN_FAILURE_LIMIT: '3',
        },
      });
      api = cluster.node('api-1').url;
      gw1 = cluster.node('gw-1').url;
      gw2 = cluster.node('gw-2').url;
    }, 120_000);

    afterAll(async () => {
      for (const ws of sockets) ws.close();
      await cluster?.stop();
    });

    /** The worker's fan-out tasks done, from its /metrics. */
    const counters = async () => {
      const text = await (await fetch(`${cluster.node('worker-1').url}/metrics`)).text();
      const value = (line: string) =>
        Number(new RegExp(`^${line} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
      return {
        tasks: value('parley_tasks_total\\{task_type="large_group_fanout",outcome="ok"\\}'),
      };
    };

    const open = async (gateway: string, who: Account) => {
      const ws = await connect(gateway, who);
      sockets.push(ws);
      return ws;
    };

    it('lists the live nodes with their roles', async () => {
      const { nodes } = await call(api, 'GET', '/v1/admin/nodes', ADMIN_TOKEN);
      expect(nodes.map((n: { node_id: string; roles: string[] }) => [n.node_id, n.roles])).toEqual([
        ['api-1', ['api']],
        ['api-2', ['api']],
        ['gw-1', ['gateway']],
        ['gw-2', ['gateway']],
        ['worker-1', ['worker']],
      ]);
      // Gateways serve no REST; every node serves /ready.
      expect((await fetch(`${gw1}/v1/conversations`)).status).toBe(404);
      for (const node of cluster.nodes.values()) {
        expect((await fetch(`${node.url}/ready`)).status).toBe(200);
      }
    });

    it('carries direct messages, typing, read receipts and presence across gateways', async () => {
      const alice = await register(api, 'alice');
      const bob = await register(api, 'bob');
      const { conversation } = await call(api, 'POST', '/v1/conversations', alice.access_token, {
        user_id: bob.user.user_id,
      });
      const bobWs = await open(gw2, bob);
      const aliceWs = await open(gw1, alice);
      // Bob hears Alice come online (she is on the other gateway).
      await bobWs.next(
        (f) => f.event === 'presence' && f.data.user_id === alice.user.user_id && f.data.online,
      );

      const sent = await send(aliceWs, conversation.conversation_id, 'c1', 'hello across gateways');
      await bobWs.next((f) => f.event === 'message.new' && f.data.message.seq === sent.seq);
      expect(messagesIn(bobWs, conversation.conversation_id)).toEqual([
        { seq: 1, text: 'hello across gateways' },
      ]);

      await bobWs.call('typing', { conversation_id: conversation.conversation_id });
      await aliceWs.next((f) => f.event === 'typing' && f.data.user_id === bob.user.user_id);

      await bobWs.call('conversation.read', {
        conversation_id: conversation.conversation_id,
        seq: sent.seq,
      });
      await aliceWs.next(
        (f) =>
          f.event === 'conversation.read' &&
          f.data.user_id === bob.user.user_id &&
          f.data.seq === 1,
      );

      aliceWs.close();
      await bobWs.next(
        (f) =>
          f.event === 'presence' &&
          f.data.user_id === alice.user.user_id &&
          f.data.online === false,
      );
    });

    it('fans a small group out over the bus and a large one through the worker', async () => {
      const owner = await register(api, 'owner');
      const m1 = await register(api, 'm1');
      const m2 = await register(api, 'm2');
      const m3 = await register(api, 'm3');
      const small = await call(api, 'POST', '/v1/groups', owner.access_token, {
        name: 'small',
        member_ids: [m1.user.user_id, m2.user.user_id],
      });
      const large = await call(api, 'POST', '/v1/groups', owner.access_token, {
        name: 'large',
        member_ids: [m1.user.user_id, m2.user.user_id, m3.user.user_id],
      });
      const ownerWs = await open(gw1, owner);
      const m1Ws = await open(gw1, m1);
      const m2Ws = await open(gw2, m2);
      const m3Ws = await open(gw2, m3);
      // The large group's creation event went through the worker already; count from here.
      await eventually(async () => (await counters()).tasks >= 1, 10_000);
      const before = await counters();
      for (const group of [small.group, large.group]) {
        const name = group.group_name;
        const first = await send(
          ownerWs,
          group.conversation_id,
          `${group.group_id}-1`,
          `to ${name}`,
        );
        const receivers = name === 'small' ? [m1Ws, m2Ws] : [m1Ws, m2Ws, m3Ws];
        for (const ws of receivers) {
          await ws.next(
            (f) =>
              f.event === 'message.new' &&
              f.data.message.conversation_id === group.conversation_id &&
              f.data.message.seq === first.seq,
          );
        }
      }
      // The sender's own connection does not get its message back, and nobody gets it twice.
      expect(messagesIn(ownerWs, large.group.conversation_id)).toEqual([]);
      expect(messagesIn(m3Ws, large.group.conversation_id)).toEqual([{ seq: 1, text: 'to large' }]);
      expect(messagesIn(m3Ws, small.group.conversation_id)).toEqual([]);
      // The large group's message went through the worker (and only through it: the sender's
      // node did not publish it too, or m3 would hold it twice); the small group's never
      // reached the worker.
      const after = await counters();
      expect(after.tasks - before.tasks).toBe(1);
    });

    it('streams events to a gRPC Subscribe on another api node, large groups through the worker', async () => {
      const owner = await register(api, 'gso');
      const members = await Promise.all(['gs1', 'gs2', 'gs3'].map((p) => register(api, p)));
      const bot = members[2] as Account;
      const grpc = grpcClients(cluster.node('api-2').grpcAddr);
      const stream = new EventStream(grpc.messages, {}, bearer(bot.access_token));
      try {
        await eventually(() => stream.named('ready').length === 1, 10_000);
        const ownerWs = await open(gw1, owner);
        const direct = await call(api, 'POST', '/v1/conversations', owner.access_token, {
          user_id: bot.user.user_id,
        });
        await send(ownerWs, direct.conversation.conversation_id, 'gd1', 'direct to a bot');
        // Four members: over the threshold, so its messages fan out from the worker, which
        // publishes on the group's subject; api-2 holds the stream, subscribed to it when the
        // group was created.
        const large = await call(api, 'POST', '/v1/groups', owner.access_token, {
          name: 'large for a bot',
          member_ids: members.map((m) => m.user.user_id),
        });
        await send(ownerWs, large.group.conversation_id, 'gl1', 'to the group');
        await eventually(() => stream.named('message.new').length === 2, 10_000);
        expect(
          stream.named('message.new').map((e) => [e.conversationId, e.message?.content]),
        ).toEqual([
          [direct.conversation.conversation_id, '{"text":"direct to a bot"}'],
          [large.group.conversation_id, '{"text":"to the group"}'],
        ]);
        const online = await ok(
          grpc.groups,
          'getOnlineGroupMembers',
          { groupId: large.group.group_id },
          bearer(owner.access_token),
        );
        expect(online.members).toContainEqual({ userId: bot.user.user_id, gatewayId: 'api-2' });
      } finally {
        stream.cancel();
        grpc.close();
      }
    });

    it('closes a logged-out session on every gateway within a second', async () => {
      const carol = await register(api, 'carol');
      const again = await call(api, 'POST', '/v1/auth/login', undefined, {
        username: carol.user.username,
        password: 'correct horse battery',
        device_id: 'd2',
      });
      const onGw1 = await open(gw1, carol);
      const onGw2 = await open(gw2, carol);
      const otherDevice = await open(gw2, again);
      const started = Date.now();
      await call(api, 'POST', '/v1/auth/logout', carol.access_token, {});
      const [a, b] = await Promise.all([onGw1.closed, onGw2.closed]);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect([a.code, b.code]).toEqual([4001, 4001]);
      // The other device's session is untouched.
      expect(otherDevice.ws.readyState).toBe(otherDevice.ws.OPEN);
      await eventually(async () => (await otherDevice.request('ping')).ok === true);
    });

    it('shares the login-failure limit between api nodes (Redis)', async () => {
      const dave = await register(api, 'dave');
      const api2 = cluster.node('api-2').url;
      const statuses: number[] = [];
      for (const [i, node] of [api, api2, api, api2].entries()) {
        const res = await fetch(`${node}/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: dave.user.username, password: `wrong-${i}` }),
        });
        statuses.push(res.status);
      }
      // Three failures in all, counted on two nodes: the fourth is refused on either.
      expect(statuses).toEqual([401, 401, 401, 429]);
    });

    it('refuses a member muted or kicked on the api node at a gateway that let them post', async () => {
      const owner = await register(api, 'mo');
      const talker = await register(api, 'mt');
      const { group } = await call(api, 'POST', '/v1/groups', owner.access_token, {
        name: 'moderated',
        member_ids: [talker.user.user_id],
      });
      const ws = await open(gw2, talker);
      const members = `/v1/groups/${group.group_id}/members/${talker.user.user_id}`;
      let n = 0;
      const post = async () =>
        (
          await ws.request('message.send', {
            conversation_id: group.conversation_id,
            client_msg_id: `mod-${n++}`,
            type: 'text',
            content: { text: 'hello' },
          })
        ).error?.reason ?? 'ok';
      // gw-2 has read (and remembers) that the talker may post.
      expect(await post()).toBe('ok');
      await call(api, 'POST', `${members}/mute`, owner.access_token, { duration_s: 600 });
      await eventually(async () => (await post()) === 'MUTED', 1_000);
      await call(api, 'POST', `${members}/mute`, owner.access_token, { duration_s: 0 });
      await eventually(async () => (await post()) === 'ok', 1_000);
      await call(api, 'POST', `/v1/groups/${group.group_id}/mute`, owner.access_token, {
        muted: true,
      });
      await eventually(async () => (await post()) === 'MUTED', 1_000);
      await call(api, 'POST', `/v1/groups/${group.group_id}/mute`, owner.access_token, {
        muted: false,
      });
      await eventually(async () => (await post()) === 'ok', 1_000);
      await call(api, 'DELETE', members, owner.access_token);
      await eventually(async () => (await post()) === 'NOT_A_MEMBER', 1_000);
    });

    it("takes a dead gateway's users offline for their contacts (presence TTL and sweep)", async () => {
      const erin = await register(api, 'erin');
      const frank = await register(api, 'frank');
      await call(api, 'POST', '/v1/conversations', erin.access_token, {
        user_id: frank.user.user_id,
      });
      const erinWs = await open(gw1, erin);
      await open(gw2, frank);
      await erinWs.next(
        (f) => f.event === 'presence' && f.data.user_id === frank.user.user_id && f.data.online,
      );
      // gw-2 dies without a word: no disconnect is ever recorded for Frank.
      await cluster.node('gw-2').kill();
      const offline = await erinWs.next(
        (f) => f.event === 'presence' && f.data.user_id === frank.user.user_id && !f.data.online,
        15_000,
      );
      expect(offline.data.last_seen).toBeGreaterThan(0);
      await cluster.node('gw-2').start();
    });
  },
);
