import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { ensureChromium, ensurePythonPeers } from './engines.js';
import { startEtcd, type EtcdServer } from './etcd-server.js';
import { startMariadb, type MariadbServer } from './mariadb-server.js';
import { startNats, type NatsServer } from './nats-server.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';
import { startRedis, type RedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the PostgreSQL server that the whole run shares. */
    postgresUrl: string;
    /** Root URL (mysql://) of the MariaDB server that the whole run shares. */
    mariadbUrl: string;
    /** Client endpoint of the etcd server that the whole run shares. */
    etcdEndpoint: string;
    /** URL of the Redis server that the whole run shares (tests use their own key prefix). */
    redisUrl: string;
    /** URL of the nats-server (with JetStream, max_payload 8 MiB) that the whole run shares. */
    natsUrl: string;
  }
}

/**
 * Installs the Debian packages the Python interop peers and the browser tests need, then starts one real PostgreSQL,
 * MariaDB, etcd, Redis and nats-server for the run and stops them afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensurePythonPeers();
  ensureChromium();
  // MariaDB first: its slow bootstrap runs in the background while the others start.
  const starting = [
    startMariadb(),
    startPostgres(),
    startEtcd(),
    startRedis(),
    startNats(),
  ] as const;
  let engines: [MariadbServer, PostgresServer, EtcdServer, RedisServer, NatsServer];
  try {
    engines = await Promise.all(starting);
  } catch (err) {
    // Stop the engines that did start, so that a failed setup leaves no server behind.
    await Promise.allSettled(starting.map(async (engine) => stopEngine(await engine)));
    throw err;
  }
  const [mariadb, postgres, etcd, redis, nats] = engines;
  project.provide('postgresUrl', postgres.url);
  project.provide('mariadbUrl', mariadb.url);
  project.provide('etcdEndpoint', etcd.endpoint);
  project.provide('redisUrl', redis.url);
  project.provide('natsUrl', nats.url);
  return async () => {
    await Promise.all(engines.map((engine) => stopEngine(engine)));
  };
}

async function stopEngine(engine: object): Promise<void> {
  const e = engine as { dispose?: () => Promise<void>; stop?: () => Promise<void> };
  await (e.dispose ?? e.stop)?.call(engine);
}
