import { hash, verify, type Algorithm } from '@node-rs/argon2';
import type { PasswordHasher } from '../../ports/security.js';

export interface Argon2Options {
  /** Memory cost in KiB (OWASP's minimum for argon2id is 19 MiB). */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

export const DEFAULT_ARGON2: Argon2Options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** argon2id through @node-rs/argon2's async API, which hashes off the event loop. */
export class Argon2Hasher implements PasswordHasher {
  readonly #options: Argon2Options;

  constructor(options: Argon2Options = DEFAULT_ARGON2) {
    this.#options = options;
  }

  hash(password: string): Promise<string> {
    // algorithm 2 is Argon2id (the package's const enum cannot be imported under isolatedModules).
    return hash(password, { ...this.#options, algorithm: 2 as Algorithm });
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }
}
