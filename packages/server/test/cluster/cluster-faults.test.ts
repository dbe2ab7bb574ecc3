/**
 * Faults in a cluster of two gateways, an api and a worker (separate processes) on its own
 * PostgreSQL, NATS, Redis and etcd: a gateway killed with SIGKILL mid-traffic, the worker killed
 * mid-fan-out, and NATS, Redis and PostgreSQL restarted under load. Clients behave as real ones:
 * they reconnect to another gateway, catch up by seq and retry unanswered sends with the same
 * client_msg_id. Each test counts what the senders were told against what the store and the
 * recipients hold.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../support/cluster.js';
import { createDatabase, startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { upgradeRefusal } from '../support/ws-test-client.js';
import { Audience } from './audience.js';
import {
  createGroup,
  directConversation,
  PASSWORD,
  registerMany,
  type Account,
} from './cluster-client.js';
import {
  counter,
  FANOUT_OK,
  natsForgot,
  taskQueue,
  waitForReady,
  waitUntil,
} from './cluster-probes.js';
import { RoamingClient } from './roaming-client.js';
import { Traffic } from './traffic.js';

/** Groups of more than this many members fan out from the worker. */
const WORKER_THRESHOLD = 10;

/** Fan-out tasks queued while the worker is away, in the worker-kill case. */
const BACKLOG = 240;

describe('a cluster under faults (its own postgres)', () => {
  let postgres: PostgresServer;
  let cluster: Cluster;
  let api: string;
  let gateways: [string, string];
  const clients: RoamingClient[] = [];

  beforeAll(async () => {
    postgres = await startPostgres();
    cluster = await startCluster({
      databaseUrl: await createDatabase(postgres.url),
      env: {
        PARLEY_FANOUT_WORKER_THRESHOLD: String(WORKER_THRESHOLD),
        PARLEY_TASK_ACK_WAIT: '2',
        PARLEY_TASK_CONCURRENCY: '2',
      },
    });
    api = cluster.node('api-1').url;
    gateways = [cluster.node('gw-1').url, cluster.node('gw-2').url];
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await cluster?.stop();
    await postgres?.stop();
  }, 60_000);

  const accounts = (prefix: string, n: number) => registerMany(api, prefix, n);
  const direct = (a: Account, b: Account) => directConversation(api, a, b);
  const group = (owner: Account, members: Account[]) => createGroup(api, owner, members);
  /** Error answers to the clients' sends, by code. */
  const sendErrors = (of: RoamingClient[]) => {
    const codes: Record<string, number> = {};
    for (const [code, n] of of.flatMap((c) => Object.entries(c.stats.sendErrors))) {
      codes[code] = (codes[code] ?? 0) + n;
    }
    return codes;
  };
  /** Statuses of a login, a conversation list and a send over REST. */
  const restDuringOutage = async (who: Account) => {
    const status = async (method: string, path: string, token?: string, body?: unknown) =>
      (
        await fetch(`${api}${path}`, {
          method,
          headers: {
            ...(token !== undefined && { authorization: `Bearer ${token}` }),
            ...(body !== undefined && { 'content-type': 'application/json' }),
          },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        })
      ).status;
    return [
      await status('POST', '/v1/auth/login', undefined, {
        username: who.user.username,
        password: PASSWORD,
        device_id: 'outage',
      }),
      await status('GET', '/v1/conversations', who.access_token),
    ];
  };
  /** A client that starts on gateways[first] and moves to the other one on a drop. */
  const open = async (name: string, who: Account, first: 0 | 1) => {
    const client = await RoamingClient.connect(name, who, gateways, first);
    clients.push(client);
    return client;
  };
  it('loses and duplicates nothing when a gateway is killed with SIGKILL mid-traffic', async () => {
    const as = await accounts('ka', 3);
    const bs = await accounts('kb', 3);
    const pairs = await Promise.all(as.map((a, i) => direct(a, bs[i] as Account)));
    const everyone = await group(as[0] as Account, [...as.slice(1), ...bs]);
    const aClients = await Promise.all(as.map((a, i) => open(`ka${i}`, a, 0)));
    const bClients = await Promise.all(bs.map((b, i) => open(`kb${i}`, b, 1)));
    const audience = new Audience().add(everyone, [...aClients, ...bClients]);
    pairs.forEach((id, i) => audience.add(id, [aClients[i], bClients[i]] as RoamingClient[]));
    const traffic = new Traffic(
      [...aClients, ...bClients].map((client, i) => ({
        client,
        targets: [pairs[i % 3] as string, everyone],
      })),
    ).start();

    await waitUntil('traffic flowing', () => traffic.acked() >= 100, 30_000);
    await cluster.node('gw-1').kill();
    const atKill = traffic.acked();
    await waitUntil(
      "gw-1's clients back on gw-2",
      () => aClients.every((c) => c.isOpen() && c.gateway() === gateways[1]),
      30_000,
    );
    await waitUntil('traffic after the kill', () => traffic.acked() >= atKill + 100, 30_000);
    await traffic.stop();
    const acked = traffic.ackedByConversation();
    const counts = traffic.counts();

    // Live delivery, before any catch-up the test asks for: clients of gw-1 caught up when they
    // reconnected; the others never dropped.
    await waitUntil(
      'live delivery settling',
      () => audience.lacking(acked).length === 0,
      5_000,
    ).catch(() => {});
    const missedLive = audience.missing(acked);
    for (const client of [...aClients, ...bClients]) await client.catchUp();
    expect(audience.lacking(acked)).toEqual([]);

    const verdict = await audience.verifyStore(api, acked);
    const all = [...aClients, ...bClients];
    console.info(
      'gateway kill:',
      JSON.stringify({
        ...counts,
        ackedBeforeKill: atKill,
        verdict,
        reconnects: all.reduce((n, c) => n + c.stats.reconnects, 0),
        caughtUpOnReconnect: aClients.reduce((n, c) => n + c.stats.caughtUp, 0),
        missedLiveBeforeFinalCatchUp: missedLive,
        liveDuplicates: all.reduce((n, c) => n + c.stats.liveDuplicates, 0),
      }),
    );
    expect(counts.unacked).toBe(0);
    expect(verdict).toMatchObject({
      acked: counts.acked,
      found: counts.acked,
      lost: 0,
      duplicated: 0,
      seq_mismatch: 0,
      seq_gaps: 0,
      seq_dups: 0,
    });
    expect(aClients.every((c) => c.stats.reconnects >= 1)).toBe(true);

    // gw-1 comes back on its port and serves again.
    await cluster.node('gw-1').start();
    await waitForReady(cluster, 200);
    const again = await open('ka0-again', as[0] as Account, 0);
    expect(again.gateway()).toBe(gateways[0]);
    const ack = await again.send(pairs[0] as string, 'ka0-after-restart', 'back');
    expect(ack?.duplicate).toBe(false);
    await waitUntil('a message from the restarted gateway', () =>
      (bClients[0] as RoamingClient).holds(pairs[0] as string, [ack?.seq as number]),
    );
  }, 120_000);

  it('redelivers and finishes every fan-out task when the worker is killed mid-fan-out', async () => {
    const worker = cluster.node('worker-1');
    const [owner, ...rest] = await accounts('wk', 41);
    const large = await group(owner as Account, rest);
    const members = await Promise.all(rest.map((m, i) => open(`wk${i}`, m, (i % 2) as 0 | 1)));
    // The group's creation event went through the worker: start from an idle queue.
    await waitUntil('an idle task queue', async () => {
      const q = await taskQueue(cluster);
      return q.messages === 0 && q.ackPending === 0;
    });

    // A backlog: the worker is away while BACKLOG messages are sent (each one a fan-out task),
    // then it comes back and is killed part way through. A task takes the worker well under a
    // millisecond, so the backlog is long enough for the kill to land inside it.
    await worker.kill();
    await natsForgot(cluster, 'worker-1');
    const senderClients = [await open('wk-owner', owner as Account, 0), members[0], members[1]];
    const acks = await Promise.all(
      Array.from({ length: BACKLOG }, async (_, n) => {
        const client = senderClients[n % 3] as RoamingClient;
        return client.send(large, `wk-${n}`, `#${n}`);
      }),
    );
    const seqs = acks.map((a) => a?.seq as number);
    expect(new Set(seqs).size).toBe(BACKLOG);
    // Each send enqueues its task after its answer: wait for them all.
    await waitUntil(
      'the backlog queued',
      async () => (await taskQueue(cluster)).messages === BACKLOG,
    );

    await worker.start();
    let firstRun = 0;
    await waitUntil(
      'the worker part way through',
      async () => (firstRun = await counter(worker.url, FANOUT_OK)) >= 20,
      30_000,
      5,
    );
    await worker.kill();
    await natsForgot(cluster, 'worker-1');
    const afterKill = await taskQueue(cluster);
    await worker.start();
    await waitUntil(
      'every task acknowledged',
      async () => {
        const q = await taskQueue(cluster);
        return q.messages === 0 && q.ackPending === 0;
      },
      30_000,
      100,
    );
    const secondRun = await counter(worker.url, FANOUT_OK);
    const done = await taskQueue(cluster);

    // Every member but the sender gets each message live (no member dropped, none caught up).
    await waitUntil(
      'every member holding every message',
      () => members.every((m) => m.holds(large, seqs)),
      30_000,
    );
    // A sender holds its own messages from their acks.
    const liveOnly = members.every((m) =>
      seqs.every((seq) => ['live', 'own'].includes(m.seen.get(large)?.get(seq) as string)),
    );
    const duplicates = members.reduce((n, m) => n + m.stats.liveDuplicates, 0);
    console.info(
      'worker kill:',
      JSON.stringify({
        tasks: BACKLOG,
        okBeforeKill: firstRun,
        leftAtKill: afterKill.messages,
        inHandAtKill: afterKill.ackPending,
        okAfterRestart: secondRun,
        redeliveries: done.deliveries - done.delivered,
        membersReached: members.length,
        duplicateFramesSeen: duplicates,
      }),
    );
    // The kill came with tasks left and in hand; the restarted worker finished exactly those.
    expect(afterKill.messages).toBeGreaterThan(0);
    expect(afterKill.messages).toBeLessThan(BACKLOG);
    expect(secondRun).toBe(afterKill.messages);
    expect(done.deliveries - done.delivered).toBeGreaterThanOrEqual(afterKill.ackPending);
    expect(members.every((m) => m.stats.reconnects === 0)).toBe(true);
    expect(liveOnly).toBe(true);
  }, 120_000);

  it('keeps every acknowledged message through NATS, Redis and PostgreSQL restarts under load', async () => {
    const cs = await accounts('rc', 2);
    const ds = await accounts('rd', 2);
    const pairs = await Promise.all(cs.map((c, i) => direct(c, ds[i] as Account)));
    const small = await group(cs[0] as Account, [...cs.slice(1), ...ds]);
    const cClients = await Promise.all(cs.map((c, i) => open(`rc${i}`, c, 0)));
    const dClients = await Promise.all(ds.map((d, i) => open(`rd${i}`, d, 1)));
    const audience = new Audience().add(small, [...cClients, ...dClients]);
    pairs.forEach((id, i) => audience.add(id, [cClients[i], dClients[i]] as RoamingClient[]));
    // A group the worker fans out: its messages need the task queue and presence.
    const [owner, ...rest] = await accounts('rl', WORKER_THRESHOLD + 2);
    const large = await group(owner as Account, rest);
    const ownerClient = await open('rl-owner', owner as Account, 0);
    const largeMembers = await Promise.all(rest.map((m, i) => open(`rl${i}`, m, (i % 2) as 0 | 1)));
    audience.add(large, [ownerClient, ...largeMembers]);
    /** The large group's acknowledged messages: client_msg_id → seq. */
    const largeAcked = new Map<string, number>();
    const sendLarge = async (clientMsgId: string) => {
      const ack = await ownerClient.send(large, clientMsgId, clientMsgId);
      if (ack !== undefined) largeAcked.set(clientMsgId, ack.seq);
      return ack;
    };
    let probes = 0;
    /** One message to the large group: the worker fans it out, and every member holds it. */
    const probeLargeGroup = async () => {
      const worker = cluster.node('worker-1').url;
      const before = await counter(worker, FANOUT_OK);
      const ack = await sendLarge(`rl-probe-${probes++}`);
      expect(ack).toBeDefined();
      // The worker ran its task, and every member holds it (live, or by catching up when
      // presence had lost their gateway and it closed their connections).
      await waitUntil(
        'the probe fanned out',
        async () => (await counter(worker, FANOUT_OK)) > before,
      );
      await waitUntil(
        'every large-group member holding the probe',
        () => largeMembers.every((m) => m.holds(large, [ack?.seq as number])),
        15_000,
      );
    };
    await probeLargeGroup();

    const traffic = new Traffic(
      [...cClients, ...dClients].map((client, i) => ({
        client,
        targets: [pairs[i % 2] as string, small],
      })),
      { window: 1 },
    ).start();
    const outages: Record<string, unknown> = {};
    const retries = () => [...cClients, ...dClients].reduce((n, c) => n + c.stats.retries, 0);
    // Each engine as /ready names it, how to stop it, and how to bring it back.
    const engines = {
      nats: { stop: () => cluster.nats.stop(), start: () => cluster.nats.restart() },
      redis: { stop: () => cluster.redis.stop(), start: () => cluster.redis.restart() },
      store: { stop: () => postgres.halt(), start: () => postgres.restart() },
    };
    for (const [name, engine] of Object.entries(engines)) {
      const before = traffic.acked();
      await waitUntil(`traffic before the ${name} outage`, () => traffic.acked() >= before + 20);
      await engine.stop();
      const down = await waitForReady(cluster, 503);
      // The outage lasts a second more under traffic (and a large-group message, retried until
      // it is stored), then the engine comes back.
      const outageStart = { ...traffic.counts(), attempts: retries() };
      // A client that connects meanwhile is told to come back (not to log in again).
      const refusal =
        name === 'store'
          ? await upgradeRefusal(`${gateways[1].replace(/^http/, 'ws')}/v1/ws`, {
              authorization: `Bearer ${(cs[0] as Account).access_token}`,
            })
          : undefined;
      // REST calls that need the engine are answered 503 UNAVAILABLE (or work), never 500.
      const rest = await restDuringOutage(cs[0] as Account);
      const duringOutage = sendLarge(`rl-during-${name}`);
      await delay(1_000);
      const outageEnd = { ...traffic.counts(), attempts: retries() };
      await engine.start();
      const up = await waitForReady(cluster, 200, 30_000);
      expect(await duringOutage).toBeDefined();
      const back = traffic.acked();
      await waitUntil(`traffic after ${name} returned`, () => traffic.acked() >= back + 20, 30_000);
      await probeLargeGroup();
      // Every node said which engine it misses.
      expect(Object.values(down).every((answer) => answer.down?.includes(name))).toBe(true);
      if (refusal !== undefined) {
        expect(refusal).toMatchObject({ status: 503, body: { error: { code: 'UNAVAILABLE' } } });
      }
      expect(rest.filter((status) => status !== 503 && (status < 200 || status > 299))).toEqual([]);
      outages[name] = {
        restStatuses: rest,
        readyWhileDown: down,
        readyAfter: Object.values(up).map((answer) => answer.status),
        ackedWhileDown: outageEnd.acked - outageStart.acked,
        sendRetriesWhileDown: outageEnd.attempts - outageStart.attempts,
      };
    }
    await traffic.stop();
    const acked = traffic.ackedByConversation().set(large, largeAcked);
    const counts = traffic.counts();

    // Recipients get every acknowledged message, live or by catching up when a gateway
    // closes their connection; the test asks for no catch-up of its own.
    let lacks: string[] = [];
    await waitUntil(
      'every recipient holding every acknowledged message',
      () => (lacks = audience.lacking(acked)).length === 0,
      15_000,
    ).catch(() => {});
    const verdict = await audience.verifyStore(api, acked);
    const all = [...cClients, ...dClients, ...largeMembers];
    console.info(
      'engine restarts:',
      JSON.stringify({
        ...counts,
        verdict,
        outages,
        lacking: lacks,
        reconnects: all.reduce((n, c) => n + c.stats.reconnects, 0),
        caughtUp: all.reduce((n, c) => n + c.stats.caughtUp, 0),
        closeCodes: [...new Set(all.flatMap((c) => c.stats.closeCodes))],
        sendErrors: sendErrors(all),
        largeGroupMessages: largeAcked.size,
      }),
    );
    expect(verdict).toMatchObject({
      acked: counts.acked + largeAcked.size,
      found: counts.acked + largeAcked.size,
      lost: 0,
      duplicated: 0,
      seq_mismatch: 0,
      seq_gaps: 0,
      seq_dups: 0,
    });
    expect(lacks).toEqual([]);
    // No node lost a promise or an exception on the way (both are logged, the second fatal).
    const unhandled = [...cluster.nodes.values()].flatMap((node) =>
      node
        .process()
        .output()
        .split('\n')
        .filter((line) => /unhandled promise rejection|uncaught exception/.test(line)),
    );
    expect(unhandled).toEqual([]);
    // A send that failed while an engine was away said UNAVAILABLE, and was retried until stored.
    expect(counts.unacked).toBe(0);
    expect(Object.keys(sendErrors(all)).filter((code) => code !== 'UNAVAILABLE')).toEqual([]);
  }, 180_000);
});
