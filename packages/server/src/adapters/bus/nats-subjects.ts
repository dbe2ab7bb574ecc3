/**
 * Bus topics as NATS subjects: `user:<id>` → `im.user.<id>`, `conv:<id>` → `im.conv.<id>`,
 * `cache` → `im.cache` (with `im` the prefix).
 * An id becomes one subject token: as it is when it uses only letters, digits, `_` and `-`,
 * else `~` and its UTF-8 in base64url, since `.`, `*`, `>`, spaces and control characters
 * would change a subject's meaning or make it invalid. `~` starts no plain token, so the two
 * forms never collide and the mapping can be reversed.
 */

const PLAIN_TOKEN = /^[A-Za-z0-9_-]+$/;
const ENCODED_MARK = '~';

/** The subject token of an id: itself when safe, else `~` + base64url of its UTF-8. */
export function subjectToken(id: string): string {
  if (PLAIN_TOKEN.test(id)) return id;
  return ENCODED_MARK + Buffer.from(id, 'utf8').toString('base64url');
}

/** The id back from its subject token. */
export function idFromSubjectToken(token: string): string {
  if (!token.startsWith(ENCODED_MARK)) return token;
  return Buffer.from(token.slice(ENCODED_MARK.length), 'base64url').toString('utf8');
}

const KINDS: ReadonlyArray<readonly [topicPrefix: string, subjectKind: string]> = [
  ['user:', 'user'],
  ['conv:', 'conv'],
  ['bridge:', 'bridge'],
];

/**
 * The subject of a topic under `prefix` (`im` in production; tests take their own). A topic of
 * none of the port's kinds still gets a subject of its own (`<prefix>.topic.<token>`).
 */
export function topicSubject(topic: string, prefix: string): string {
  if (topic === 'cache') return `${prefix}.cache`;
  for (const [topicPrefix, kind] of KINDS) {
    if (topic.startsWith(topicPrefix)) {
      return `${prefix}.${kind}.${subjectToken(topic.slice(topicPrefix.length))}`;
    }
  }
  return `${prefix}.topic.${subjectToken(topic)}`;
}
