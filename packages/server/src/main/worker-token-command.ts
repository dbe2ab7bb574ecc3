/** `parley worker-token create|list|revoke`: worker tokens for bridges (seed 001). */
import { UlidIds } from '../adapters/system/ulid-ids.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { WorkerTokenService } from '../app/bridges/worker-tokens.js';
import { isAppError } from '../domain/errors.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../observability/logger.js';
import { openStore } from './engines.js';

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** Runs the sub-command; returns the exit code (2 for a usage error). */
export async function workerTokenCommand(
  config: Config,
  args: readonly string[],
  name: string | undefined,
  usage: string,
): Promise<number> {
  const [action, ...rest] = args;
  const wrongUse =
    (action === 'create' && (name === undefined || rest.length > 0)) ||
    (action === 'list' && rest.length > 0) ||
    (action === 'revoke' && rest.length !== 1) ||
    (action !== 'create' && action !== 'list' && action !== 'revoke');
  if (wrongUse) {
    process.stderr.write(
      `Usage: parley worker-token create --name NAME | list | revoke ID\n\n${usage}`,
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
    if (action === 'create') {
      const created = await service.create(name ?? '');
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
