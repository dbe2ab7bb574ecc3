/** The processes under test: a Parley server, or the bare ws relay (the floor). */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './stats.js';

const CLI = fileURLToPath(new URL('../../packages/server/dist/cli.js', import.meta.url));
const RELAY = fileURLToPath(new URL('./relay.js', import.meta.url));

export interface BenchServer {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  cpuSeconds(): number;
  rssBytes(): number;
  stop(): Promise<void>;
}

export interface ParleyOptions {
  readonly env?: Record<string, string>;
  readonly nodeArgs?: readonly string[];
  /** postgres://… instead of the embedded store. */
  readonly databaseUrl?: string | undefined;
}

/** What every Parley under test allows beyond its defaults: many guests from one address. */
export const BENCH_SETTINGS: Readonly<Record<string, string>> = {
  PARLEY_SIGNUP_LIMIT: '1000000',
  // Every simulated client connects from this one machine's address.
  PARLEY_MAX_CONNECTIONS_PER_ADDRESS: '0',
  PARLEY_DM_POLICY: 'anyone',
  PARLEY_GROUP_ADD_POLICY: 'anyone',
  PARLEY_GROUP_MEMBERS_PER_REQUEST: '100000',
  PARLEY_GUEST_POLICY: 'full',
};

export async function startParley(options: ParleyOptions = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, 'start'], {
    env: {
      PATH: process.env.PATH ?? '',
      PARLEY_HOST: '127.0.0.1',
      PARLEY_PORT: String(port),
      PARLEY_DATA_DIR: dataDir,
      PARLEY_LOG_LEVEL: 'warn',
      ...BENCH_SETTINGS,
      PARLEY_GRPC_PORT: '0',
      ...(options.databaseUrl !== undefined && { PARLEY_DATABASE_URL: options.databaseUrl }),
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 300 || child.exitCode !== null) {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error('The Parley server did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return handle('parley', url, child, () => rmSync(dataDir, { recursive: true, force: true }));
}

/** The bare relay, in its own process like Parley. */
export async function startRelay(): Promise<BenchServer> {
  const child = spawn(process.execPath, [RELAY, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /RELAY (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error('the relay did not start')));
  });
  return handle('relay', `http://127.0.0.1:${port}`, child, () => {});
}

function handle(name: string, url: string, child: ChildProcess, cleanup: () => void): BenchServer {
  const pid = child.pid as number;
  return {
    name,
    url,
    pid,
    cpuSeconds: () => cpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8')),
    rssBytes: () =>
      Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) *
      1024,
    async stop() {
      // A Ctrl-C reaches the server too: it may be gone already.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      cleanup();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const tryPort = (attempt: number) => {
      const port = 15_000 + Math.floor(Math.random() * 17_000);
      const server = createServer();
      server.once('error', () =>
        attempt > 50 ? reject(new Error('no free port')) : tryPort(attempt + 1),
      );
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(port)));
    };
    tryPort(0);
  });
}
