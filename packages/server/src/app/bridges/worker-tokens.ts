/**
 * Worker tokens (seed 001): what a bridge worker presents to push data. Created by an operator,
 * shown once, stored as a SHA-256 hash only, revocable.
 */
import { createHash, randomBytes } from 'node:crypto';
import { MAX_WORKER_TOKEN_NAME, WORKER_TOKEN_PREFIX } from '../../domain/bridge.js';
import { invalidArgument } from '../../domain/errors.js';
import type { WorkerTokenRecord, WorkerTokenRepository } from '../../ports/bridge-store.js';
import type { Clock, Ids } from '../../ports/system.js';

export interface WorkerToken {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

export interface CreatedWorkerToken extends WorkerToken {
  /** The token itself: shown this once, never stored. */
  readonly token: string;
}

export const hashWorkerToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

const view = (record: WorkerTokenRecord): WorkerToken => ({
  id: record.id,
  name: record.name,
  createdAt: record.createdAt,
  revokedAt: record.revokedAt,
});

export class WorkerTokenService {
  readonly #tokens: WorkerTokenRepository;
  readonly #clock: Clock;
  readonly #ids: Ids;

  constructor(deps: { tokens: WorkerTokenRepository; clock: Clock; ids: Ids }) {
    this.#tokens = deps.tokens;
    this.#clock = deps.clock;
    this.#ids = deps.ids;
  }

  async create(name: string): Promise<CreatedWorkerToken> {
    const trimmed = name.trim();
    if (trimmed === '' || trimmed.length > MAX_WORKER_TOKEN_NAME) {
      throw invalidArgument(
        `A worker token needs a name of 1 to ${MAX_WORKER_TOKEN_NAME} characters.`,
        'name',
      );
    }
    const token = `${WORKER_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const record: WorkerTokenRecord = {
      id: this.#ids.next(),
      name: trimmed,
      tokenHash: hashWorkerToken(token),
      createdAt: this.#clock.now(),
      revokedAt: null,
    };
    await this.#tokens.insert(record);
    return { ...view(record), token };
  }

  async list(): Promise<WorkerToken[]> {
    return (await this.#tokens.list()).map(view);
  }

  /** True when the token existed and was not revoked yet. */
  revoke(id: string): Promise<boolean> {
    return this.#tokens.revoke(id, this.#clock.now());
  }

  /** The live token this bearer value is, or undefined (unknown, forged or revoked). */
  async authenticate(token: string): Promise<WorkerToken | undefined> {
    if (!token.startsWith(WORKER_TOKEN_PREFIX)) return undefined;
    const record = await this.#tokens.findByHash(hashWorkerToken(token));
    return record === undefined || record.revokedAt !== null ? undefined : view(record);
  }
}
