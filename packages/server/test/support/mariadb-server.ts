import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { ensureDebianPackage } from './engines.js';
import { freePort } from './ports.js';

export interface MariadbServer {
  /** `mysql://root@127.0.0.1:<port>/`: root, empty password, no database selected. */
  readonly url: string;
  stop(): Promise<void>;
}

const MARIADBD = '/usr/sbin/mariadbd';

/**
 * A real MariaDB from Debian's mariadb-server package, in a temp dir on a free loopback port.
 * `--no-defaults` keeps Debian's /etc/mysql config (its socket, pid file and utf8mb4 defaults)
 * out: the server runs with the compiled-in latin1 default, so the migrations must set utf8mb4
 * themselves. Durability is relaxed for speed, as the PostgreSQL test server's is.
 */
export async function startMariadb(): Promise<MariadbServer> {
  ensureDebianPackage('mariadb-server', () => existsSync(MARIADBD));
  const dir = mkdtempSync(join(tmpdir(), 'parley-mariadb-'));
  const data = join(dir, 'data');
  // Without the authentication option root could log in through the socket only. Run without
  // blocking: the other engines start meanwhile.
  try {
    await promisify(execFile)(
      'mariadb-install-db',
      [
        '--no-defaults',
        `--datadir=${data}`,
        '--user=root',
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ],
      { timeout: 60_000 },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error('mariadb-install-db failed', { cause: err });
  }
  const port = await freePort();
  const log = join(dir, 'log');
  const child = spawn(
    MARIADBD,
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${join(dir, 's')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      `--pid-file=${join(dir, 'pid')}`,
      `--log-error=${log}`,
      '--skip-log-bin',
      '--skip-name-resolve',
      '--innodb-flush-log-at-trx-commit=0',
      '--innodb-doublewrite=0',
      '--max-connections=500',
      // Tables in the system tablespace: each test's CREATE and DROP DATABASE make no files.
      '--innodb-file-per-table=0',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `mysql://root@127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    try {
      const connection = await createConnection({ uri: url, connectTimeout: 1_000 });
      await connection.end();
      break;
    } catch {
      // not up yet
    }
    if (i > 300 || child.exitCode !== null) {
      child.kill('SIGKILL');
      const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2_000) : '';
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`MariaDB did not start on port ${port}:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh database on the server, so that test files never see each other's rows. Its default
 * character set stays the server's (latin1): the tables must not depend on it.
 */
export async function createMysqlDatabase(adminUrl: string): Promise<string> {
  const name = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const connection = await createConnection({ uri: adminUrl });
  try {
    await connection.query(`create database ${name}`);
  } finally {
    await connection.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by createMysqlDatabase. */
export async function dropMysqlDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/';
  const connection = await createConnection({ uri: admin.toString() });
  try {
    await connection.query(`drop database if exists ${name}`);
  } finally {
    await connection.end();
  }
}
