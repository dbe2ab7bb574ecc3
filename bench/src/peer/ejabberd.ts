/**
 * ejabberd as a peer under test: Debian's package (installed with apt-get when missing), run
 * as its own Erlang VM from a temp dir with a generated config, on loopback only, measured
 * like Parley (CPU and RSS of the beam.smp process from /proc), stopped afterwards.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type BenchServer } from '../server.js';
import { cpuSeconds } from '../stats.js';
import { ejabberdConfig, erlArgs, parseErlLibs, seedSql } from './ejabberd-config.js';
import { findDescendant, readProcs } from '../proc.js';
import { account, offersFeatures, plainAuth, saslOutcome, streamHeader } from './xmpp.js';

/** The Debian packages: the server, its SQLite driver, and sqlite3 to seed the database. */
export const EJABBERD_PACKAGES = ['ejabberd', 'erlang-p1-sqlite3', 'sqlite3'] as const;

const EJABBERDCTL = '/usr/sbin/ejabberdctl';
const SCHEMA = '/usr/share/ejabberd/sql/lite.sql';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export interface EjabberdServer extends BenchServer {
  /** The package version, e.g. 23.01-1. */
  readonly version: string;
  /** Whether mod_mam archives every message (PARLEY_BENCH_EJABBERD_MAM=off turns it off). */
  readonly mam: boolean;
}

function installed(): boolean {
  try {
    const out = execFileSync('dpkg-query', ['-W', '-f=${Status}\n', ...EJABBERD_PACKAGES], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\n').filter((l) => l === 'install ok installed').length === 3;
  } catch {
    return false;
  }
}

/** Installs the packages with apt-get (non-interactive) unless they are there. */
export function ensureEjabberd(): void {
  if (installed()) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `ejabberd is not installed and this is not root: apt-get install -y ${EJABBERD_PACKAGES.join(' ')}`,
    );
  }
  process.stderr.write(`installing ${EJABBERD_PACKAGES.join(', ')} with apt-get…\n`);
  const opts = {
    stdio: ['ignore', 'ignore', 'inherit'] as ('ignore' | 'inherit')[],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 600_000,
  };
  execFileSync('apt-get', ['update', '-qq'], opts);
  execFileSync('apt-get', ['install', '-y', '-qq', ...EJABBERD_PACKAGES], opts);
  if (!installed()) throw new Error('apt-get did not install ejabberd');
}

export function ejabberdVersion(): string {
  return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'ejabberd'], {
    encoding: 'utf8',
  }).trim();
}

export interface EjabberdOptions {
  /** Accounts u0/p0 … u(n-1)/p(n-1) to create. */
  readonly users: number;
}

/** Starts a fresh ejabberd and resolves once it serves XMPP clients on its port. */
export async function startEjabberd(options: EjabberdOptions): Promise<EjabberdServer> {
  ensureEjabberd();
  // u0 is the readiness probe's account.
  const users = Math.max(1, options.users);
  // The database on tmpfs where there is one: see docs/performance.md on durability.
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(base, 'parley-bench-ejabberd-'));
  const spool = join(dir, 'spool');
  const logs = join(dir, 'logs');
  mkdirSync(spool);
  mkdirSync(logs);
  const database = join(dir, 'ejabberd.db');
  const configFile = join(dir, 'ejabberd.yml');
  const c2sPort = await freePort();
  const epmdPort = await freePort();
  const mam = process.env.PARLEY_BENCH_EJABBERD_MAM !== 'off';
  writeFileSync(configFile, ejabberdConfig({ c2sPort, database, mam }));
  execFileSync('sqlite3', ['-bail', database], {
    input: seedSql(readFileSync(SCHEMA, 'utf8'), users),
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const erlLibs = parseErlLibs(readFileSync(EJABBERDCTL, 'utf8')) ?? '/usr/lib/x86_64-linux-gnu';
  // Extra VM flags for experiments (later flags win), e.g. '+sbwt medium' for the default.
  const extra = (process.env.PARLEY_BENCH_EJABBERD_ERL_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn('erl', [...erlArgs(spool), ...extra], {
    cwd: spool,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      // The VM keeps its cookie file, if any, in HOME: the temp dir, not root's.
      HOME: dir,
      LANG: 'C.UTF-8',
      EJABBERD_CONFIG_PATH: configFile,
      EJABBERD_LOG_PATH: join(logs, 'ejabberd.log'),
      ERL_LIBS: erlLibs,
      ERL_CRASH_DUMP: join(logs, 'erl_crash.dump'),
      ERL_MAX_PORTS: '32000',
      ERL_MAX_ETS_TABLES: '1400',
      // No distribution is started; should anything start epmd, it is on loopback, ours.
      ERL_EPMD_ADDRESS: '127.0.0.1',
      ERL_EPMD_PORT: String(epmdPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  // If the harness exits without stop() (an error), the VM and its files go with it.
  const onExit = () => {
    child.kill('SIGKILL');
    cleanup();
  };
  process.once('exit', onExit);

  const fail = async (why: string): Promise<never> => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    const log = join(logs, 'ejabberd.log');
    const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2_000) : '';
    process.off('exit', onExit);
    cleanup();
    throw new Error(`ejabberd ${why}\n${output}\n${tail}`);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) return fail(`exited (${child.exitCode}) before it was ready`);
    if (await logsIn(c2sPort)) break;
    if (Date.now() > deadline) return fail(`was not ready in ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const beam = child.pid === undefined ? undefined : beamPid(child.pid);
  if (beam === undefined) return fail('runs no beam.smp process');
  const cpu = () => cpuSeconds(readFileSync(`/proc/${beam}/stat`, 'utf8'));
  // ejabberd goes on starting for a moment after its listener opens (about 0.5 CPU-s, and
  // RSS falls back by some 20 MB): let it settle, so no run measures its start.
  for (let last = cpu(), i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = cpu();
    if (now - last < 0.01) break;
    last = now;
  }

  const status = () => readFileSync(`/proc/${beam}/status`, 'utf8');
  return {
    name: 'ejabberd',
    version: ejabberdVersion(),
    mam,
    url: `xmpp://127.0.0.1:${c2sPort}`,
    pid: beam,
    cpuSeconds: cpu,
    rssBytes: () => Number(/VmRSS:\s+(\d+) kB/.exec(status())?.[1] ?? 0) * 1024,
    async stop() {
      if (child.exitCode === null) {
        // SIGTERM: the VM runs init:stop(), ejabberd closes its sessions and database.
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      await stopEpmd(epmdPort);
      process.off('exit', onExit);
      cleanup();
    },
  };
}

/**
 * Whether account u0 can log in (at most 2 s): ejabberd opens its listener before its SQL
 * workers run, and a login before them fails, so a listening port is not enough.
 */
function logsIn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    let authSent = false;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 2_000);
    socket.once('connect', () => socket.write(streamHeader()));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (!authSent && offersFeatures(reply)) {
        authSent = true;
        const { username, password } = account(0);
        socket.write(plainAuth(username, password));
      }
      const outcome = saslOutcome(reply);
      if (outcome !== undefined) done(outcome === 'success');
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** The beam.smp process: `erl` execs into it, but look among its descendants too. */
function beamPid(root: number): number | undefined {
  return findDescendant(readProcs(), root, 'beam.smp');
}

/** Kills an epmd on our loopback port if one answers there (none is expected). */
async function stopEpmd(port: number): Promise<void> {
  const listening = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (!listening) return;
  try {
    execFileSync('epmd', ['-kill'], {
      env: { ...process.env, ERL_EPMD_PORT: String(port), ERL_EPMD_ADDRESS: '127.0.0.1' },
      stdio: 'ignore',
    });
  } catch {
    // already gone
  }
}
