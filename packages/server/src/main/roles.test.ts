import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../config/schema.js';
import { planNode } from './roles.js';

const config = (input: Record<string, unknown>) => ConfigSchema.parse(input);
const SHARED = {
  database_url: 'postgres://db/parley',
  nats_url: 'nats://nats:4222',
  redis_url: 'redis://redis:6379',
  etcd_endpoints: 'http://etcd:2379',
};

describe('planNode', () => {
  it('runs every role in one process by default, on in-process engines', () => {
    const plan = planNode(config({}));
    expect([...plan.roles]).toEqual(['gateway', 'api', 'worker']);
    expect(plan.clustered).toBe(false);
    expect(plan.nodeId).toMatch(/^node-[0-9a-f]{12}$/);
  });

  it('takes a comma list of roles and the node id', () => {
    const plan = planNode(config({ ...SHARED, role: 'worker, gateway', node_id: 'gw-1' }));
    expect([...plan.roles]).toEqual(['gateway', 'worker']);
    expect(plan.clustered).toBe(true);
    expect(plan.nodeId).toBe('gw-1');
  });

  it('refuses a split role without the shared engines, naming each missing variable', () => {
    expect(() => planNode(config({ role: 'gateway', database_url: SHARED.database_url }))).toThrow(
      /PARLEY_NATS_URL .*PARLEY_REDIS_URL .*PARLEY_ETCD_ENDPOINTS/,
    );
    expect(() => planNode(config({ role: 'api' }))).toThrow(/PARLEY_DATABASE_URL/);
  });

  it('counts a node given NATS or Redis as clustered, whatever its roles', () => {
    expect(() => planNode(config({ nats_url: SHARED.nats_url }))).toThrow(/PARLEY_REDIS_URL/);
  });

  it('rejects an unknown role in the configuration', () => {
    expect(() => config({ role: 'gateway,cache' })).toThrow(
      /comma list of gateway, api and worker/,
    );
  });
});
