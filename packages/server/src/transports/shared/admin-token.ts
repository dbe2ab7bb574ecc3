import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Tells whether a bearer token is the operator's admin token (PARLEY_ADMIN_TOKEN); undefined
 * when none is set (unset or empty). Both are hashed first, so the comparison takes the same
 * time whatever the token's length or contents.
 */
export function adminTokenMatcher(
  adminToken: string | undefined,
): ((token: string) => boolean) | undefined {
  if (adminToken === undefined || adminToken === '') return undefined;
  const expected = digest(adminToken);
  return (token) => timingSafeEqual(digest(token), expected);
}
