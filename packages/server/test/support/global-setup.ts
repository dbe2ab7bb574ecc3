import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { ensurePythonPeers } from './engines.js';
import { startEtcd, type EtcdServer } from './etcd-server.js';
import { startMariadb, type MariadbServer } from './mariadb-server.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the PostgreSQL server that the whole run shares. */
    postgresUrl: string;
    /** Root URL (`mysql://root@127.0.0.1:PORT/`) of the MariaDB server that the whole run shares. */
    mariadbUrl: string;
    /** Client endpoint of the etcd server that the whole run shares. */
    etcdEndpoint: string;
  }
}

/**
 * Installs the Debian packages the Python interop peers need, then starts one real PostgreSQL,
 * one MariaDB and one etcd for the run and stops them afterwards.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensurePythonPeers();
  // MariaDB first: its slow bootstrap runs in the background while PostgreSQL starts.
  const starting = [startMariadb(), startPostgres(), startEtcd()] as const;
  let engines: [MariadbServer, PostgresServer, EtcdServer];
  try {
    engines = await Promise.all(starting);
  } catch (err) {
    // Stop the engines that did start, so that a failed setup leaves no server behind.
    await Promise.allSettled(starting.map(async (engine) => (await engine).stop()));
    throw err;
  }
  const [mariadb, postgres, etcd] = engines;
  project.provide('postgresUrl', postgres.url);
  project.provide('mariadbUrl', mariadb.url);
  project.provide('etcdEndpoint', etcd.endpoint);
  return async () => {
    await Promise.all([postgres.stop(), mariadb.stop(), etcd.stop()]);
  };
}
