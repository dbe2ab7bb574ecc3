/**
 * `parley worker-token create|list|revoke|assign`: worker tokens for bridges (seed 001), and
 * moving a bridged account to another live token.
 */
import { UlidIds } from '../adapters/system/ulid-ids.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { BridgeAccountService } from '../app/bridges/bridge-accounts.js';
import { WorkerTokenService } from '../app/bridges/worker-tokens.js';
import { isAppError } from '../domain/errors.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../observability/logger.js';
import { MAX_BRIDGE_KEY } from '../protocol/bridge-sync.js';
import type { Store } from '../ports/store.js';
import { openStore } from './engines.js';

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** The command line's options the sub-commands take. */
export interface WorkerTokenOptions {
  readonly name?: string | undefined;
  readonly platform?: string | undefined;
  readonly account?: string | undefined;
  readonly tokenId?: string | undefined;
}

const bridgeKey = (value: string | undefined) =>
  value !== undefined && value !== '' && value.length <= MAX_BRIDGE_KEY;

function wrongUse(action: string | undefined, rest: readonly string[], o: WorkerTokenOptions) {
  switch (action) {
    case 'create':
      return o.name === undefined || rest.length > 0;
    case 'list':
      return rest.length > 0;
    case 'revoke':
      return rest.length !== 1;
    case 'assign':
      return rest.length > 0 || !bridgeKey(o.platform) || !bridgeKey(o.account) || !o.tokenId;
    default:
      return true;
  }
}

/** Runs the sub-command; returns the exit code (2 for a usage error). */
export async function workerTokenCommand(
  config: Config,
  args: readonly string[],
  options: WorkerTokenOptions,
  usage: string,
): Promise<number> {
  const [action, ...rest] = args;
  if (wrongUse(action, rest, options)) {
    process.stderr.write(
      'Usage: parley worker-token create --name NAME | list | revoke ID\n' +
        '       parley worker-token assign --platform PLATFORM --account ACCOUNT_ID --token-id ID\n' +
        `\n${usage}`,
    );
    return 2;
  }
  // Log lines (bridge data moved on SQLite, say) go to stderr: stdout is the command's answer.
  const store = openStore(config, createLogger(config.log_level, process.stderr));
  try {
    // Safe on every run, and a fresh database needs no separate `parley migrate` first.
    await store.migrate();
    const clock = new SystemClock();
    const service = new WorkerTokenService({
      tokens: store.workerTokens,
      clock,
      ids: new UlidIds(() => clock.now()),
    });
    if (action === 'assign') return await assign(store, options);
    if (action === 'create') {
      const created = await service.create(options.name ?? '');
      process.stdout.write(
        `Worker token ${created.id} (${created.name}) created. It is shown this once:\n` +
          `${created.token}\n`,
      );
      return 0;
    }
    if (action === 'list') {
      const tokens = await service.list();
      if (tokens.length === 0) process.stdout.write('No worker tokens.\n');
      for (const t of tokens) {
        const state = t.revokedAt === null ? 'live' : `revoked ${iso(t.revokedAt)}`;
        process.stdout.write(`${t.id}  ${t.name}  created ${iso(t.createdAt)}  ${state}\n`);
      }
      return 0;
    }
    const id = rest[0] ?? '';
    if (!(await service.revoke(id))) {
      process.stderr.write(`No live worker token has the id ${id}.\n`);
      return 1;
    }
    process.stdout.write(`Worker token ${id} revoked.\n`);
    return 0;
  } catch (err) {
    if (!isAppError(err)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  } finally {
    await store.close();
  }
}

/** Moves an account to a live token; exit 1 when the account or the live token is unknown. */
async function assign(store: Store, options: WorkerTokenOptions): Promise<number> {
  const platform = options.platform ?? '';
  const accountId = options.account ?? '';
  const tokenId = options.tokenId ?? '';
  const accounts = new BridgeAccountService({
    items: store.bridgeItems,
    tokens: store.workerTokens,
  });
  try {
    const moved = await accounts.assignOwner(platform, accountId, tokenId);
    const previous = moved.previousOwnerTokenId;
    process.stdout.write(
      previous === tokenId
        ? `Account ${platform}/${accountId} already belongs to worker token ${tokenId}.\n`
        : `Account ${platform}/${accountId} moved to worker token ${tokenId} ` +
            `(from ${previous ?? 'no owner'}).\n`,
    );
    return 0;
  } catch (err) {
    if (!isAppError(err) || err.code !== 'NOT_FOUND') throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
}
