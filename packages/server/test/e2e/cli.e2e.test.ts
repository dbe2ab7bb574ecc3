import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LISTENING } from '../support/cli-server.js';
import { CLI, run, type RunningProcess } from '../support/process.js';

describe('the parley command', () => {
  const cleanups: (() => void)[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  const started = (proc: RunningProcess) => {
    cleanups.push(() => proc.signal('SIGKILL'));
    return proc;
  };
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('`npm start` serves /health on embedded storage with no other service', async () => {
    const dataDir = join(tempDir(), 'data');
    const proc = started(
      run('npm', ['start'], {
        PARLEY_HOST: '127.0.0.1',
        PARLEY_PORT: '0',
        PARLEY_GRPC_PORT: '0',
        PARLEY_DATA_DIR: dataDir,
      }),
    );
    const url = await proc.waitFor(LISTENING, 120_000);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'healthy',
      connections: 0,
      store: { engine: 'sqlite', status: 'up' },
    });
    // The group's SIGTERM reaches node itself, which shuts down gracefully.
    proc.signal('SIGTERM');
    await proc.exited;
    expect(proc.output()).toContain('Parley stopped');
  });

  it('finishes an in-flight request after SIGTERM, then exits 0', async () => {
    const dataDir = tempDir();
    const proc = started(
      run('node', [CLI, 'start'], {
        PARLEY_HOST: '127.0.0.1',
        PARLEY_PORT: '0',
        PARLEY_GRPC_PORT: '0',
        PARLEY_DATA_DIR: dataDir,
      }),
    );
    const url = new URL(await proc.waitFor(LISTENING));
    const body = JSON.stringify({ username: 'inflight', password: 'long enough password' });

    // Send the headers and half the body, so that the request is in flight.
    let resolveResponse: (status: number) => void = () => {};
    const answered = new Promise<number>((resolve) => (resolveResponse = resolve));
    const req = request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: '/v1/auth/register',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      res.resume();
      resolveResponse(res.statusCode ?? 0);
    });
    req.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 200));

    proc.signal('SIGTERM');
    await proc.waitFor(/shutting down/);
    // Draining: no new connections are taken...
    await expect(fetch(`${url.origin}/health`)).rejects.toThrow();
    // ...but the request already in flight completes.
    req.end(body.slice(10));
    expect(await answered).toBe(201);
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('Parley stopped');
  });

  it('`parley migrate` applies migrations once', async () => {
    const env = { PARLEY_DATA_DIR: tempDir() };
    const first = run('node', [CLI, 'migrate'], env);
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(
      /Applied 0001-accounts, 0002-messaging, 0003-social(, [\w-]+)* to the sqlite database/,
    );
    const second = run('node', [CLI, 'migrate'], env);
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('up to date');
  });

  it('`parley --help` lists the commands and every setting', async () => {
    const proc = run('node', [CLI, '--help'], {});
    expect(await proc.exited).toBe(0);
    for (const text of ['parley start', 'parley migrate', 'PARLEY_PORT', 'PARLEY_DATABASE_URL']) {
      expect(proc.output()).toContain(text);
    }
  });

  it('refuses to start on a bad value, naming the variable', async () => {
    const proc = run('node', [CLI, 'start'], { PARLEY_PORT: 'eighty', PARLEY_DATA_DIR: tempDir() });
    expect(await proc.exited).toBe(2);
    expect(proc.output()).toContain('PARLEY_PORT');
    expect(proc.output()).not.toContain('listening');
  });

  it('refuses to start on an unknown key in the config file, naming it and the file', async () => {
    const file = join(tempDir(), 'parley.json');
    writeFileSync(file, JSON.stringify({ port: 0, prot: 8080 }));
    const proc = run('node', [CLI, 'start', '--config', file], {});
    expect(await proc.exited).toBe(2);
    expect(proc.output()).toContain(`prot in ${file}: unknown setting`);
  });

  it('refuses to start one role without the shared engines, naming each variable', async () => {
    const proc = run('node', [CLI, 'start', '--role', 'gateway'], {
      PARLEY_DATA_DIR: tempDir(),
      PARLEY_NATS_URL: 'nats://127.0.0.1:1',
    });
    expect(await proc.exited).toBe(2);
    for (const name of ['PARLEY_DATABASE_URL', 'PARLEY_REDIS_URL', 'PARLEY_ETCD_ENDPOINTS']) {
      expect(proc.output()).toContain(name);
    }
    expect(proc.output()).not.toContain('PARLEY_NATS_URL (');
    expect(proc.output()).not.toContain('listening');
  });

  it('refuses an unknown PARLEY_ variable', async () => {
    const proc = run('node', [CLI, 'start'], { PARLEY_PROT: '1', PARLEY_DATA_DIR: tempDir() });
    expect(await proc.exited).toBe(2);
    expect(proc.output()).toContain('PARLEY_PROT: unknown setting');
  });
});
