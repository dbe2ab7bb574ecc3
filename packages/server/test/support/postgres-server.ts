import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ensureDebianPackage, postgresBinDir } from './engines.js';
import { freePort } from './ports.js';

export interface PostgresServer {
  /** A superuser URL of the server's `postgres` database. */
  readonly url: string;
  /** The postmaster's process id (its backends are its children), for CPU accounting. */
  pid(): number | undefined;
  /** Stops the server and removes its data dir. */
  stop(): Promise<void>;
  /**
   * Stops the server and keeps its data dir, as in an outage: a fast shutdown ends every
   * session (clients see their connections terminated) and writes a checkpoint.
   */
  halt(): Promise<void>;
  /** Starts it again on the same port and data dir (halting it first if it runs). */
  restart(): Promise<void>;
}

/**
 * A real PostgreSQL from Debian's package, in a temp dir on a free loopback port. initdb refuses
 * to run as root, so as root the cluster belongs to the `postgres` user.
 */
export async function startPostgres(): Promise<PostgresServer> {
  ensureDebianPackage('postgresql', () => postgresBinDir() !== undefined);
  const bin = postgresBinDir() as string;
  const dir = mkdtempSync(join(tmpdir(), 'parley-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (program: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', `${bin}/${program}`, ...args], {
          stdio: 'pipe',
        })
      : execFileSync(`${bin}/${program}`, args, { stdio: 'pipe' });

  const data = join(dir, 'data');
  const port = await freePort();
  const settings = [
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`,
    '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  const start = ['-D', data, '-o', settings, '-l', join(dir, 'log'), '-w', '-t', '30', 'start'];
  const running = () => existsSync(join(data, 'postmaster.pid'));
  // Outages run pg_ctl without blocking the test's event loop (its clients keep working).
  const runAsync = promisify(execFile);
  const pgCtl = (args: string[]) =>
    asRoot
      ? runAsync('runuser', ['-u', 'postgres', '--', `${bin}/pg_ctl`, ...args])
      : runAsync(`${bin}/pg_ctl`, args);
  const halt = async (mode: 'fast' | 'immediate') => {
    if (running()) await pgCtl(['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
  };
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale']);
    run('pg_ctl', start);
  } catch (err) {
    // A server that did not come up in time may still be starting: stop it, then its files go.
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // it was not running
    }
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    pid: () => {
      // pg_ctl daemonizes the postmaster; its pid is the first line of postmaster.pid.
      const first = readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0];
      return first === undefined || first === '' ? undefined : Number(first);
    },
    async stop() {
      try {
        await halt('immediate');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    halt: () => halt('fast'),
    async restart() {
      await halt('fast');
      await pgCtl(start);
    },
  };
}

/** A fresh database on the server, so that test files never see each other's rows. */
export async function createDatabase(adminUrl: string): Promise<string> {
  const name = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
