/** Parsing the registry's JSON records (the same shapes in etcd and in the config file). */
import { z } from 'zod';
import type { ExtInstance, ExtTypeConfig } from '../../domain/extension.js';

const tags = z.record(z.string(), z.string()).default({});

export const InstanceRecord = z.object({
  addr: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port'),
  mode: z.enum(['sync', 'async']),
  timeout_ms: z.number().int().min(1).max(600_000).optional(),
  weight: z.number().int().min(0).max(10_000).default(1),
  tags,
});

export const TypeConfigRecord = z.object({
  timeout_ms: z.number().int().min(1).max(600_000).optional(),
  degrade: z.enum(['reject', 'skip', 'passthrough']).default('reject'),
  tags,
});

export const SERVICES_PREFIX = '/parley/ext/services/';
export const CONFIG_PREFIX = '/parley/ext/config/';

export function toInstance(msgType: string, instanceId: string, value: unknown): ExtInstance {
  const record = InstanceRecord.parse(value);
  return {
    msgType,
    instanceId,
    addr: record.addr,
    mode: record.mode,
    timeoutMs: record.timeout_ms,
    weight: record.weight,
    tags: record.tags,
  };
}

export function toTypeConfig(value: unknown): ExtTypeConfig {
  const record = TypeConfigRecord.parse(value);
  return { timeoutMs: record.timeout_ms, degrade: record.degrade, tags: record.tags };
}
