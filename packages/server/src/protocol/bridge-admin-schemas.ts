/** Wire schemas of the bridge operator endpoints under /v1/admin (seed 001). */
import { z } from 'zod';
import { MAX_WORKER_TOKEN_NAME } from '../domain/bridge.js';
import type { BridgeAccountKey } from '../ports/bridge-store.js';
import { MAX_BRIDGE_KEY } from './bridge-sync.js';
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

/** A platform or account id in a path: as long as a worker may send one. */
const bridgeKey = z.string().min(1).max(MAX_BRIDGE_KEY);

export const BridgeAccountParams = z.object({ platform: bridgeKey, account_id: bridgeKey });

export const AssignOwnerBody = z.object({
  worker_token_id: z.string().min(1).max(191).describe('The id of a live worker token.'),
});

export const AccountOwnerMoved = z.object({
  platform: z.string(),
  account_id: z.string(),
  owner_token_id: z.string(),
  previous_owner_token_id: z
    .string()
    .nullable()
    .describe('null when the account had no owner; owner_token_id when nothing changed.'),
});

export const BridgeAccountInfo = named(
  z.object({
    platform: z.string(),
    account_id: z.string(),
    owner_token_id: z.string().nullable().describe('null while no worker token has claimed it.'),
    owner_token_name: z.string().nullable(),
    owner_token_revoked_at: z
      .number()
      .int()
      .nullable()
      .describe('Set when the owner was revoked: the next live token to push takes it over.'),
    last_sync_at: z.number().int().describe('Server time of the last batch, ms since the epoch.'),
    last_timestamp: z.number().int().describe('The newest batch timestamp a worker sent (ms).'),
  }),
  'BridgeAccountInfo',
);

export const BridgeAccountList = z.object({
  bridge_accounts: z.array(BridgeAccountInfo),
  next_cursor: z.string().nullable().describe('The cursor of the next page; null on the last.'),
});

/** Two keys of up to 191 characters, as JSON in base64url, fit well within this. */
const MAX_ACCOUNT_CURSOR = 4096;

export const BridgeAccountListQuery = z.object({
  cursor: z
    .string()
    .max(MAX_ACCOUNT_CURSOR)
    .optional()
    .describe('next_cursor of the previous page.'),
  limit: z.coerce.number().int().min(1).max(100).optional().describe('Default 50.'),
});

/** base64url of `[platform, accountId]`: opaque to operators' scripts. */
export function encodeAccountCursor(key: BridgeAccountKey): string {
  return Buffer.from(JSON.stringify([key.platform, key.accountId])).toString('base64url');
}

/** The key a cursor stands for; undefined for one this server did not hand out. */
export function decodeAccountCursor(text: string): BridgeAccountKey | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [platform, accountId] = value as unknown[];
    const ok = (v: unknown): v is string =>
      typeof v === 'string' && v !== '' && v.length <= MAX_BRIDGE_KEY;
    return ok(platform) && ok(accountId) ? { platform, accountId } : undefined;
  } catch {
    return undefined;
  }
}
