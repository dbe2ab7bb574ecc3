/**
 * Docker is not on the test machines, so the deployment files are checked here: every PARLEY_*
 * variable they use is a setting of the config schema (read at run time), every node's
 * environment loads as a configuration, each role has the engines it needs and waits for them,
 * and the NATS and nginx configs pass their servers' own checks.
 */
import { spawnSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE_ENV, CONFIG_KEYS, envVarOf, loadConfig } from '../../src/config/load.js';
import {
  dockerEnv,
  dockerInstructions,
  readCompose,
  REPO_ROOT,
  repoFile,
  type ComposeService,
} from '../support/deploy-files.js';
import { ensureDebianPackage } from '../support/engines.js';

type Engine = 'database' | 'nats' | 'redis' | 'etcd';

/** The engines each role needs (docs/operations.md, "Running a cluster"). */
const ROLE_ENGINES: Readonly<Record<string, readonly Engine[]>> = {
  gateway: ['database', 'nats', 'redis', 'etcd'],
  api: ['database', 'nats', 'redis', 'etcd'],
  worker: ['database', 'nats', 'redis'],
};
const ROLES = new Set([...Object.keys(ROLE_ENGINES), 'all']);

/** The variable naming each engine, and the URL schemes it may hold. */
const ENGINE_SETTING: Readonly<Record<Engine, { env: string; schemes: readonly string[] }>> = {
  database: { env: 'PARLEY_DATABASE_URL', schemes: ['postgres:', 'postgresql:', 'mysql:'] },
  nats: { env: 'PARLEY_NATS_URL', schemes: ['nats:'] },
  redis: { env: 'PARLEY_REDIS_URL', schemes: ['redis:', 'rediss:'] },
  etcd: { env: 'PARLEY_ETCD_ENDPOINTS', schemes: ['http:', 'https:'] },
};

const COMPOSE = 'deploy/docker-compose.yml';
const VARS = { PARLEY_ADMIN_TOKEN: 'an-admin-token-for-the-test' };
const compose = readCompose(COMPOSE, VARS);
const dockerfile = dockerInstructions(repoFile('Dockerfile'));
const CMD = ['node', 'packages/server/dist/cli.js', 'start'];

const isParleyImage = (s: ComposeService) => s.image === 'parley:local';
/** The Parley services that run a server (the image's CMD), not a one-shot command. */
const nodes = Object.entries(compose.services).filter(
  ([, s]) => isParleyImage(s) && (s.command === undefined || s.command.at(-1) === 'start'),
);
const rolesOf = (s: ComposeService) => (s.environment?.PARLEY_ROLE ?? '').split(',');

describe('deployment files', () => {
  it('use only PARLEY_* variables that are settings of the config schema', () => {
    const known = new Set([...CONFIG_KEYS.map(envVarOf), CONFIG_FILE_ENV]);
    const files = [
      COMPOSE,
      'Dockerfile',
      'deploy/docker-entrypoint.sh',
      'deploy/nginx.conf',
      'deploy/nats.conf',
    ];
    const used = new Set(files.flatMap((f) => repoFile(f).match(/\bPARLEY_[A-Z0-9_]+/g) ?? []));
    expect(used.size).toBeGreaterThan(10);
    const unknown = [...used].filter((name) => !known.has(name)).sort();
    expect(unknown, 'variables that are no setting of config/schema.ts').toEqual([]);
  });

  it('give every Parley container an environment that loads as a configuration', () => {
    const signingKey = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const parley = Object.entries(compose.services).filter(([, s]) => isParleyImage(s));
    expect(parley.length).toBeGreaterThan(nodes.length);
    for (const [name, service] of parley) {
      // What the entrypoint hands to `parley`: the image's ENV, the service's, the key.
      const env = {
        ...dockerEnv(dockerfile),
        ...service.environment,
        PARLEY_JWT_PRIVATE_KEY: signingKey,
      };
      expect(() => loadConfig({ env }), name).not.toThrow();
    }
  });

  it('run two gateways, one api and one worker, each with a valid role and its own node id', () => {
    const roles = nodes.flatMap(([, s]) => rolesOf(s)).sort();
    expect(roles).toEqual(['api', 'gateway', 'gateway', 'worker']);
    for (const [name, service] of nodes) {
      for (const role of rolesOf(service)) expect(ROLES, `${name}: role ${role}`).toContain(role);
    }
    const ids = nodes.map(([, s]) => s.environment?.PARLEY_NODE_ID);
    expect(new Set(ids).size).toBe(nodes.length);
    expect(ids.every((id) => id !== undefined && /^[A-Za-z0-9._:@-]+$/.test(id))).toBe(true);
  });

  it("configure every engine a node's roles need, and start the node once it is healthy", () => {
    for (const [name, service] of nodes) {
      const engines = new Set(rolesOf(service).flatMap((role) => ROLE_ENGINES[role] ?? []));
      for (const engine of engines) {
        const { env, schemes } = ENGINE_SETTING[engine];
        const value = service.environment?.[env];
        expect(value, `${name}: ${env}`).toBeDefined();
        for (const endpoint of value!.split(',')) {
          const url = new URL(endpoint);
          expect(schemes, `${name}: ${env}=${endpoint}`).toContain(url.protocol);
          const host = compose.services[url.hostname];
          expect(host?.healthcheck, `${name}: ${env} names service ${url.hostname}`).toBeDefined();
          expect(service.depends_on?.[url.hostname], `${name} waits for ${url.hostname}`).toEqual({
            condition: 'service_healthy',
          });
        }
      }
      expect(service.healthcheck?.test.join(' '), name).toContain('/health');
      expect(service.environment?.PARLEY_ADMIN_TOKEN, name).toBe(VARS.PARLEY_ADMIN_TOKEN);
    }
  });

  it('wait on health checks and one-shot jobs only', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const oneShot = service.restart === 'no';
      if (!oneShot) expect(service.healthcheck, `${name} has a health check`).toBeDefined();
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const other = compose.services[dependency];
        expect(other, `${name} depends on ${dependency}`).toBeDefined();
        expect(condition, `${name} on ${dependency}`).toBe(
          other?.restart === 'no' ? 'service_completed_successfully' : 'service_healthy',
        );
      }
    }
  });

  it('build the image in stages, unprivileged, serving /health on 8080 and gRPC on 9090', () => {
    const of = (instruction: string) =>
      dockerfile.filter((i) => i.instruction === instruction).map((i) => i.args);
    expect(of('FROM').length).toBeGreaterThanOrEqual(2);
    const run = of('RUN').join('\n');
    expect(run).toContain('npm ci');
    expect(run).toContain('npm run build');
    expect(of('USER').at(-1)).toMatch(/^(node|[1-9]\d*)$/);
    expect(of('EXPOSE').join(' ').split(/\s+/).sort()).toEqual(['8080', '9090']);
    expect(of('HEALTHCHECK').join(' ')).toContain('/health');
    expect(JSON.parse(of('CMD').at(-1) ?? 'null')).toEqual(CMD);
    const server = JSON.parse(repoFile('packages/server/package.json')) as {
      bin: Record<string, string>;
    };
    expect(`packages/server/${server.bin.parley}`).toBe(CMD[1]);
    for (const args of of('COPY').filter((a) => !a.startsWith('--from'))) {
      const sources = args.split(/\s+/).slice(0, -1);
      for (const source of sources) expect(existsSync(join(REPO_ROOT, source)), source).toBe(true);
    }
  });

  it('share one signing key, generated once and handed to every node by the entrypoint', () => {
    const keyFile = compose.services.keygen?.environment?.JWT_PRIVATE_KEY_FILE;
    expect(keyFile).toBeDefined();
    for (const [name, service] of nodes) {
      expect(service.environment?.JWT_PRIVATE_KEY_FILE, name).toBe(keyFile);
      expect(service.depends_on?.keygen, name).toBeDefined();
    }
    const dir = mkdtempSync(join(tmpdir(), 'parley-deploy-'));
    try {
      const file = join(dir, 'jwt.pem');
      const keygen = () =>
        spawnSync(process.execPath, [join(REPO_ROOT, 'deploy/generate-signing-key.mjs')], {
          env: { JWT_PRIVATE_KEY_FILE: file },
          encoding: 'utf8',
        });
      expect(keygen().status).toBe(0);
      const pem = readFileSync(file, 'utf8');
      expect(createPrivateKey(pem).asymmetricKeyType).toBe('ed25519');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(keygen().status).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(pem);

      const printEnv = `process.stdout.write(JSON.stringify(process.env))`;
      const started = spawnSync(
        'sh',
        [join(REPO_ROOT, 'deploy/docker-entrypoint.sh'), process.execPath, '-e', printEnv],
        { env: { JWT_PRIVATE_KEY_FILE: file, PATH: process.env.PATH }, encoding: 'utf8' },
      );
      expect(started.status, started.stderr).toBe(0);
      const env = JSON.parse(started.stdout) as Record<string, string>;
      expect(env.PARLEY_JWT_PRIVATE_KEY).toBe(pem.trimEnd());
      expect(env.JWT_PRIVATE_KEY_FILE).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('configure NATS with JetStream and 8 MB payloads, as nats-server accepts', () => {
    ensureDebianPackage('nats-server', () => existsSync('/usr/sbin/nats-server'));
    const nats = compose.services.nats!;
    expect(nats.command).toContain('-js');
    expect(nats.volumes).toContain('./nats.conf:/etc/nats/nats.conf:ro');
    const conf = repoFile('deploy/nats.conf');
    expect(conf).toMatch(/^max_payload: 8MB$/m);
    const check = spawnSync(
      '/usr/sbin/nats-server',
      ['-c', join(REPO_ROOT, 'deploy/nats.conf'), '-js', '-t'],
      { encoding: 'utf8' },
    );
    expect(check.status, check.stderr).toBe(0);
  });

  it('spread /v1/ws over the gateways and the rest to the api, as nginx accepts', () => {
    ensureDebianPackage('nginx', () => existsSync('/usr/sbin/nginx'));
    const conf = repoFile('deploy/nginx.conf');
    const upstream = (name: string) =>
      [
        ...(new RegExp(`upstream ${name} \\{([^}]*)\\}`).exec(conf)?.[1] ?? '').matchAll(
          /server ([\w.-]+):8080/g,
        ),
      ].map((m) => m[1]!);
    const byRole = (role: string) =>
      nodes.filter(([, s]) => rolesOf(s).includes(role)).map(([name]) => name);
    expect(upstream('gateways').sort()).toEqual(byRole('gateway').sort());
    expect(upstream('api')).toEqual(byRole('api'));
    expect(conf).toMatch(/location = \/v1\/ws \{[^}]*proxy_pass http:\/\/gateways;/);
    expect(conf).toMatch(/location \/ \{[^}]*proxy_pass http:\/\/api;/);

    // nginx resolves upstream names at its check: here they are loopback.
    const dir = mkdtempSync(join(tmpdir(), 'parley-nginx-'));
    try {
      const local = conf.replace(/server [\w.-]+:8080/g, 'server 127.0.0.1:8080');
      writeFileSync(join(dir, 'nginx.conf'), local);
      const check = spawnSync(
        '/usr/sbin/nginx',
        ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr', '-g', 'pid nginx.pid;'],
        { encoding: 'utf8' },
      );
      expect(check.status, check.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
