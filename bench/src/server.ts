/** Starts a Parley server process for a benchmark run and reads its CPU and memory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './stats.js';

const CLI = fileURLToPath(new URL('../../packages/server/dist/cli.js', import.meta.url));

export interface BenchServer {
  readonly url: string;
  readonly pid: number;
  cpuSeconds(): number;
  rssBytes(): number;
  stop(): Promise<void>;
}

export async function startServer(
  extraEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, CLI, 'start'], {
    env: {
      PATH: process.env.PATH ?? '',
      PARLEY_HOST: '127.0.0.1',
      PARLEY_PORT: String(port),
      PARLEY_DATA_DIR: dataDir,
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_ARGON2_MEMORY_KIB: '1024',
      PARLEY_ARGON2_ITERATIONS: '1',
      PARLEY_SIGNUP_LIMIT: '1000000',
      PARLEY_DM_POLICY: 'anyone',
      PARLEY_GRPC_PORT: '0',
      ...extraEnv,
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
    if (i > 200 || child.exitCode !== null) throw new Error('The Parley server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid as number;
  return {
    url,
    pid,
    cpuSeconds: () => cpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8')),
    rssBytes: () => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
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
