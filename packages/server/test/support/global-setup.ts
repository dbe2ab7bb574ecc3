import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { ensurePythonPeers } from './engines.js';
import { startEtcd } from './etcd-server.js';
import { startNats } from './nats-server.js';
import { startPostgres } from './postgres-server.js';
import { startRedis } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the PostgreSQL server that the whole run shares. */
    postgresUrl: string;
    /** Client endpoint of the etcd server that the whole run shares. */
    etcdEndpoint: string;
    /** URL of the Redis server that the whole run shares (tests use their own key prefix). */
    redisUrl: string;
    /** URL of the nats-server (with JetStream, max_payload 8 MiB) that the whole run shares. */
    natsUrl: string;
  }
}

/**
 * Installs the Debian packages the Python interop peers need, then starts one real PostgreSQL,
 * etcd, Redis and nats-server for the run and stops them afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensurePythonPeers();
  const [postgres, etcd, redis, nats] = await Promise.all([
    startPostgres(),
    startEtcd(),
    startRedis(),
    startNats(),
  ]);
  project.provide('postgresUrl', postgres.url);
  project.provide('etcdEndpoint', etcd.endpoint);
  project.provide('redisUrl', redis.url);
  project.provide('natsUrl', nats.url);
  return async () => {
    await Promise.all([postgres.stop(), etcd.stop(), redis.stop(), nats.dispose()]);
  };
}
