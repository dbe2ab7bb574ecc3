import { createHash, randomBytes } from 'node:crypto';
import type { SecretTokens } from '../../ports/security.js';

/** 256-bit random tokens, base64url; stored only as their SHA-256. */
export class RandomSecretTokens implements SecretTokens {
  generate(): string {
    return randomBytes(32).toString('base64url');
  }

  digest(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }
}
