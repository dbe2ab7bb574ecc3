import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackage } from './engines.js';
import { freePort } from './ports.js';

const REDIS_SERVER = '/usr/bin/redis-server';

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  /** The running server's process id (for CPU accounting), if it runs. */
  pid(): number | undefined;
  /** Stops the server (it keeps nothing: no RDB, no AOF). */
  stop(): Promise<void>;
  /**
   * Starts a new, empty server on the same port, stopping the running one first if there is
   * one; after `stop` it brings Redis back, as after an outage.
   */
  restart(): Promise<void>;
}

/**
 * A real Redis from Debian's redis-server package, in a temp dir on a free loopback port, with
 * persistence off. `restart` keeps the port so that clients reconnect to the same URL.
 */
export async function startRedis(): Promise<RedisServer> {
  ensureDebianPackage('redis-server', () => existsSync(REDIS_SERVER));
  const dir = mkdtempSync(join(tmpdir(), 'parley-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();

  const launch = async () => {
    mkdirSync(dir, { recursive: true });
    const args = [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    const started = spawn(REDIS_SERVER, [...args, '--dir', dir], { stdio: 'ignore' });
    child = started;
    exited = new Promise((resolve) => started.once('exit', resolve));
    await waitUntilAnswering(port, started);
  };
  const halt = async () => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };

  try {
    await launch();
  } catch (err) {
    await halt();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: () => child?.pid,
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      await launch();
    },
  };
}

/** Waits (bounded) until the server answers PING with PONG. */
async function waitUntilAnswering(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (await answersPing(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port} within 5 s`);
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
