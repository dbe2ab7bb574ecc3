import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackage } from './engines.js';
import { freePort } from './ports.js';

const NATS_SERVER = '/usr/sbin/nats-server';

export interface NatsServerOptions {
  /**
   * The server's max_payload (bytes). nats-server's default is 1 MiB; Parley's frames reach about
   * 4 MiB, so the tests run with 8 MiB, the largest value nats-server accepts without a warning.
   */
  readonly maxPayload?: number;
}

export interface NatsServer {
  /** nats://127.0.0.1:<port> */
  readonly url: string;
  /** http://127.0.0.1:<monitoring port> (/healthz, /varz, /jsz) */
  readonly monitorUrl: string;
  /** The max_payload the server runs with. */
  readonly maxPayload: number;
  /** The running server's process id (for CPU accounting), if it runs. */
  pid(): number | undefined;
  /** Stops the server (SIGTERM, or SIGKILL for a crash), keeping its JetStream store. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same ports and store (stopping it first if it runs). */
  restart(): Promise<void>;
  /** Stops the server and removes its store. */
  dispose(): Promise<void>;
}

export const TEST_NATS_MAX_PAYLOAD = 8 * 1024 * 1024;

/**
 * A real nats-server from Debian's package, with JetStream, in a temp dir on free loopback
 * ports: `nats-server -c CONF -a 127.0.0.1 -p P -m M -js -sd DIR`. The config file holds what
 * has no command-line flag (max_payload).
 */
export async function startNats(options: NatsServerOptions = {}): Promise<NatsServer> {
  ensureDebianPackage('nats-server', () => existsSync(NATS_SERVER));
  const maxPayload = options.maxPayload ?? TEST_NATS_MAX_PAYLOAD;
  const dir = mkdtempSync(join(tmpdir(), 'parley-nats-'));
  const port = await freePort();
  let monitor = await freePort();
  while (monitor === port) monitor = await freePort();
  const config = join(dir, 'nats.conf');
  writeFileSync(config, `max_payload: ${maxPayload}\n`);
  const args = [
    ...['-c', config, '-a', '127.0.0.1', '-p', String(port), '-m', String(monitor)],
    ...['-js', '-sd', join(dir, 'store')],
  ];
  const monitorUrl = `http://127.0.0.1:${monitor}`;

  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  const launch = async () => {
    const proc = spawn(NATS_SERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-4_000);
    });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', resolve));
    for (let i = 0; ; i++) {
      try {
        const res = await fetch(`${monitorUrl}/healthz?js-enabled=true`);
        if (res.ok) return;
      } catch {
        // not up yet
      }
      if (i > 200 || proc.exitCode !== null) {
        proc.kill('SIGKILL');
        throw new Error(`nats-server did not start on port ${port}:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
    }
    await exited;
    child = undefined;
  };

  try {
    await launch();
  } catch (err) {
    // A server that never came up leaves no store behind.
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    monitorUrl,
    maxPayload,
    pid: () => child?.pid,
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
