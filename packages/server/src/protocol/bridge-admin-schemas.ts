/** Wire schemas of the worker-token operator endpoints under /v1/admin (seed 001). */
import { z } from 'zod';
import { MAX_WORKER_TOKEN_NAME } from '../domain/bridge.js';
import { named } from './rest-schemas.js';

export const WorkerTokenInfo = named(
  z.object({
    id: z.string(),
    name: z.string(),
    created_at: z.number().int().describe('ms since the epoch.'),
    revoked_at: z.number().int().nullable().describe('ms since the epoch; null while live.'),
  }),
  'WorkerTokenInfo',
);

export const CreateWorkerTokenBody = z.object({
  name: z.string().min(1).max(MAX_WORKER_TOKEN_NAME),
});

export const CreatedWorkerToken = z.object({
  worker_token: WorkerTokenInfo,
  token: z.string().describe('The token (pwk_…): shown this once, stored only as a hash.'),
});

export const WorkerTokenList = z.object({ worker_tokens: z.array(WorkerTokenInfo) });

export const WorkerTokenParams = z.object({ id: z.string().min(1).max(191) });
