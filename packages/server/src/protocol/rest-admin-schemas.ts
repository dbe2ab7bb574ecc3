/** Wire schemas of the operator endpoints under /v1/admin. */
import { z } from 'zod';
import { named } from './rest-schemas.js';

export const ClusterNode = named(
  z.object({
    node_id: z.string(),
    roles: z.array(z.string()).describe('gateway, api and/or worker.'),
    http_url: z.string().optional().describe('Where its HTTP and WebSocket edge answers.'),
    grpc_addr: z.string().optional().describe('host:port of its gRPC server.'),
    version: z.string(),
    started_at: z.string().describe('ISO 8601.'),
  }),
  'ClusterNode',
);

export const ClusterNodes = z.object({ nodes: z.array(ClusterNode) });
