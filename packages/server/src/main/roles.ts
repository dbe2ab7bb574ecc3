import { randomBytes } from 'node:crypto';
import { ConfigError } from '../config/load.js';
import { parseRoles, type Config, type Role } from '../config/schema.js';

/** What this node runs and which engines it uses. */
export interface NodePlan {
  readonly nodeId: string;
  readonly roles: ReadonlySet<Role>;
  /** Shares its engines with other nodes: every shared engine must be configured. */
  readonly clustered: boolean;
}

/** The variables a clustered node needs, and why. */
const SHARED_ENGINES: readonly { key: keyof Config; env: string; what: string }[] = [
  {
    key: 'database_url',
    env: 'PARLEY_DATABASE_URL',
    what: 'a shared database (postgres:// or mysql://)',
  },
  { key: 'nats_url', env: 'PARLEY_NATS_URL', what: 'NATS with JetStream (the bus and task queue)' },
  { key: 'redis_url', env: 'PARLEY_REDIS_URL', what: 'Redis (presence and rate limits)' },
  { key: 'etcd_endpoints', env: 'PARLEY_ETCD_ENDPOINTS', what: 'etcd (cluster membership)' },
];

/**
 * A node is clustered when it runs only some roles (the others run elsewhere) or when it is
 * given NATS or Redis (other nodes share them). A clustered node refuses to start without
 * every shared engine: one node on in-process engines would silently split the cluster.
 */
export function planNode(config: Config): NodePlan {
  const roles = new Set(parseRoles(config.role));
  const clustered =
    roles.size < 3 || config.nats_url !== undefined || config.redis_url !== undefined;
  if (clustered) {
    const missing = SHARED_ENGINES.filter(({ key }) => config[key] === undefined);
    if (missing.length > 0) {
      const list = missing.map(({ env, what }) => `${env} (${what})`).join(', ');
      throw new ConfigError(
        `A ${[...roles].join(',')} node in a cluster needs ${list}. ` +
          'Set them, or run every role in one process (PARLEY_ROLE=all) with no NATS or Redis.',
      );
    }
  }
  return { nodeId: config.node_id ?? generatedNodeId(), roles, clustered };
}

function generatedNodeId(): string {
  return `node-${randomBytes(6).toString('hex')}`;
}
