import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackage } from './engines.js';
import { freePort } from './ports.js';

export interface EtcdServer {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  /** The server's process id (for CPU accounting). */
  pid(): number | undefined;
  stop(): Promise<void>;
}

/** A real etcd from Debian's etcd-server package, in a temp dir on free loopback ports. */
export async function startEtcd(): Promise<EtcdServer> {
  ensureDebianPackage('etcd-server', () => existsSync('/usr/bin/etcd'));
  const dir = mkdtempSync(join(tmpdir(), 'parley-etcd-'));
  const client = await freePort();
  let peer = await freePort();
  while (peer === client) peer = await freePort();
  const endpoint = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const child = spawn(
    '/usr/bin/etcd',
    [
      '--name',
      't',
      '--data-dir',
      join(dir, 'data'),
      '--logger=zap',
      '--log-level=error',
      '--listen-client-urls',
      endpoint,
      '--advertise-client-urls',
      endpoint,
      '--listen-peer-urls',
      peerUrl,
      '--initial-advertise-peer-urls',
      peerUrl,
      '--initial-cluster',
      `t=${peerUrl}`,
      '--initial-cluster-state',
      'new',
    ],
    {
      stdio: 'ignore',
      env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'x64' ? '' : process.arch },
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`${endpoint}/health`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (i > 200 || child.exitCode !== null) {
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
      throw new Error('etcd did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    endpoint,
    pid: () => child.pid,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
