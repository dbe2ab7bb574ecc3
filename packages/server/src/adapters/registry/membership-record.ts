/** The JSON a node writes for itself under `/parley/nodes/<node_id>`, and reading it back. */
import { z } from 'zod';
import type { NodeRecord } from '../../ports/membership.js';

/** A node id is one key segment: no slash, printable, bounded. */
const NODE_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

const StoredNode = z.object({
  node_id: z.string().regex(NODE_ID),
  roles: z.array(z.string().min(1).max(32)).max(16),
  http_url: z.string().min(1).max(2048).optional(),
  grpc_addr: z.string().min(1).max(512).optional(),
  version: z.string().min(1).max(64),
  started_at: z.iso.datetime({ offset: true }),
});

/**
 * The record to store for `node`: checked, so that every node can read it back, and copied.
 * Throws on a record that is not valid (a programming or configuration error).
 */
export function storedNodeRecord(node: NodeRecord): NodeRecord {
  const result = StoredNode.safeParse(node);
  if (!result.success) {
    const problems = result.error.issues.map(
      (i) => `${i.path.join('.') || 'record'}: ${i.message}`,
    );
    throw new Error(`The node record is not valid (${problems.join('; ')}).`);
  }
  return nodeRecordOf(result.data);
}

/** A copy of the record holding only the fields of NodeRecord (what is stored and served). */
export function nodeRecordOf(node: NodeRecord): NodeRecord {
  return {
    node_id: node.node_id,
    roles: [...node.roles],
    ...(node.http_url !== undefined && { http_url: node.http_url }),
    ...(node.grpc_addr !== undefined && { grpc_addr: node.grpc_addr }),
    version: node.version,
    started_at: node.started_at,
  };
}

/** Parses a stored value; throws on anything that is not a node record. */
export function parseNodeRecord(text: string): NodeRecord {
  return nodeRecordOf(StoredNode.parse(JSON.parse(text)));
}
