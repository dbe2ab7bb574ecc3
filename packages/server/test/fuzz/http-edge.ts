import { ERROR_CODES } from '../../src/domain/errors.js';
import type { Rng } from './prng.js';
import type { Tally } from './tally.js';
import {
  deepJson,
  excessiveDepth,
  fieldValue,
  mustRefuseForDepth,
  randomJson,
  randomString,
} from './values.js';

/** Real ids the cases may use, so that some reach past "not found". */
export interface HttpTargets {
  readonly token: string;
  readonly userId: string;
  readonly otherUserId: string;
  readonly groupId: string;
  readonly conversationId: string;
  readonly sessionId: string;
}

export interface HttpCase {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
  /** The body nests too deep for Parley to accept it (mustRefuseForDepth). */
  readonly deep?: boolean;
}

/** Every field name the REST API reads, so generated bodies look almost right. */
const FIELDS = [
  'username',
  'password',
  'nickname',
  'device_id',
  'refresh_token',
  'access_token',
  'avatar_url',
  'bio',
  'user_id',
  'user_ids',
  'member_ids',
  'name',
  'notice',
  'join_policy',
  'client_msg_id',
  'type',
  'content',
  'seq',
  'role',
  'duration_s',
  'muted',
  'message',
  'conversation_id',
];
const TYPES = [
  'text',
  'image',
  'file',
  'audio',
  'video',
  'location',
  'custom',
  'x.ext',
  'Bad Type',
];
const QUERY = [
  'limit',
  'cursor',
  'before_seq',
  'after_seq',
  'after_change_seq',
  'query',
  'direction',
  'access_token',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/jsonx',
  '',
];

/** A header value of bytes Node will send (\t, printable ASCII, Latin-1). */
function headerValue(rng: Rng, max: number): string {
  let text = '';
  for (let i = rng.int(0, max); i > 0; i -= 1) {
    text += String.fromCharCode(rng.chance(0.9) ? rng.int(0x20, 0x7e) : rng.int(0x80, 0xff));
  }
  return text;
}

/** Percent-encodes, sending a lone surrogate as the malformed UTF-8 it would be. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text.replace(/[\ud800-\udfff]/g, '%ED%A0%80').replace(/[^%A-Za-z0-9]/g, (ch) => {
      try {
        return encodeURIComponent(ch);
      } catch {
        return '%ED%A0%80';
      }
    });
  }
}

function param(rng: Rng, name: string, t: HttpTargets): string {
  if (rng.chance(0.3)) return encode(randomString(rng, 80)) || 'x';
  switch (name) {
    case ':group_id':
      return t.groupId;
    case ':id':
      return rng.pick([t.conversationId, 'w_lobby', t.sessionId]);
    case ':user_id':
      return rng.pick([t.userId, t.otherUserId]);
    case ':seq':
      return String(rng.pick([1, 2, 0, -1, 2 ** 53, 1.5]));
    default:
      return rng.pick([t.userId, t.groupId, t.sessionId, '1']);
  }
}

const DEEP = Symbol('deep');

function body(rng: Rng, bodyLimit: number): string | Buffer | undefined | { [DEEP]: string } {
  const mode = rng.int(0, 99);
  if (mode < 40) {
    const object: Record<string, unknown> = {};
    for (let i = rng.int(0, 5); i > 0; i -= 1) {
      const field = rng.pick(FIELDS);
      object[field] = fieldValue(rng, () =>
        field === 'type'
          ? rng.pick(TYPES)
          : field === 'content'
            ? { text: randomString(rng), [randomString(rng, 8)]: randomJson(rng) }
            : randomString(rng, 40),
      );
    }
    return JSON.stringify(object);
  }
  if (mode < 55) return JSON.stringify(randomJson(rng));
  if (mode < 65) {
    // Deep nesting, as the whole body or inside a message's content.
    const deep = deepJson(rng, excessiveDepth(rng));
    return {
      [DEEP]: rng.chance(0.5)
        ? deep
        : `{"client_msg_id":"f${rng.int(0, 1e9)}","type":"custom","content":{"data":${deep}}}`,
    };
  }
  if (mode < 75) {
    // Broken JSON: truncated, doubled, or not JSON at all.
    const text = JSON.stringify(randomJson(rng));
    return rng.pick([
      text.slice(0, rng.int(0, text.length)),
      text + text,
      `{${text}`,
      "{'a':1}",
      '\u0000',
      '{"a":1,}',
    ]);
  }
  if (mode < 85)
    return Buffer.from(Uint8Array.from({ length: rng.int(1, 256) }, () => rng.int(0, 255)));
  if (mode < 87) return `{"name":"${'x'.repeat(bodyLimit + rng.int(1, 1024))}"}`;
  if (mode < 92) return `{"${rng.pick(FIELDS)}":"${'é'.repeat(rng.int(1_000, 100_000))}"}`;
  return undefined;
}

/** One malformed request to one route. */
export function httpCase(
  rng: Rng,
  routes: readonly string[],
  t: HttpTargets,
  bodyLimit: number,
): HttpCase {
  const route = rng.pick(routes);
  const [routeMethod = 'GET', template = '/'] = route.split(' ');
  let path = template.replace(/:[a-z_]+|\*/g, (name) => param(rng, name, t));
  if (rng.chance(0.4)) {
    const pairs = Array.from({ length: rng.int(1, 4) }, () => {
      const key = rng.chance(0.8) ? rng.pick(QUERY) : randomString(rng, 10);
      const value = randomJson(rng);
      return `${encode(key)}=${encode(typeof value === 'string' ? value : JSON.stringify(value))}`;
    });
    path += `?${pairs.join('&')}`;
  }
  const headers: Record<string, string> = {};
  const auth = rng.int(0, 9);
  if (auth < 7) headers.authorization = `Bearer ${t.token}`;
  else if (auth === 7) headers.authorization = headerValue(rng, 200);
  else if (auth === 8)
    headers.authorization = `Bearer ${headerValue(rng, rng.chance(0.1) ? 20_000 : 100)}`;
  const generated = routeMethod === 'GET' && rng.chance(0.8) ? undefined : body(rng, bodyLimit);
  const deep = typeof generated === 'object' && DEEP in generated;
  const payload = deep ? generated[DEEP] : generated;
  if (payload !== undefined || rng.chance(0.2)) {
    const type = rng.chance(0.7) ? 'application/json' : rng.pick(CONTENT_TYPES);
    if (type !== '') headers['content-type'] = type;
  }
  if (rng.chance(0.05))
    headers[`x-${headerValue(rng, 8).replace(/[^a-z]/g, '') || 'f'}`] = headerValue(rng, 500);
  if (rng.chance(0.05)) headers.traceparent = headerValue(rng, 80);
  if (rng.chance(0.05)) headers['x-forwarded-for'] = headerValue(rng, 60);
  const method = rng.chance(0.05)
    ? rng.pick(['PUT', 'OPTIONS', 'DELETE', 'PATCH', 'POST'])
    : routeMethod;
  const sent = payload !== undefined && method !== 'GET';
  const sendsContent =
    (method === 'POST' && /\/messages$/.test(template)) ||
    (method === 'PATCH' && /\/messages\/[^/]+$/.test(template));
  const mustRefuse =
    deep && typeof payload === 'string' && mustRefuseForDepth(payload, sendsContent);
  return { method, path, headers, ...(sent && { body: payload, deep: mustRefuse }) };
}

/** Sends a case and checks the invariants: no 5xx, and every error in the protocol's shape. */
export async function runHttpCase(baseUrl: string, c: HttpCase, tally: Tally): Promise<void> {
  const label = `${c.method} ${c.path.slice(0, 120)} ${typeof c.body === 'string' ? c.body.slice(0, 120) : ''}`;
  let status: number;
  let text: string;
  let contentType: string;
  try {
    const res = await fetch(`${baseUrl}${c.path}`, {
      method: c.method,
      headers: c.headers,
      redirect: 'manual',
      ...(c.body !== undefined && { body: c.body as unknown as BodyInit }),
    });
    status = res.status;
    contentType = res.headers.get('content-type') ?? '';
    text = await res.text();
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    tally.fail(
      'no answer',
      `${label}: ${(err as Error).message} (${cause?.code ?? cause?.message})`,
    );
    return;
  }
  tally.answer(status);
  if (status >= 500) {
    tally.fail('5xx', `${status} ${text.slice(0, 200)} ← ${label}`);
    return;
  }
  if (status < 400) {
    if (c.deep === true) tally.fail('deep accepted', `${status} ← ${label}`);
    return;
  }
  let parsed:
    | {
        error?: { code?: unknown; message?: unknown; trace_id?: unknown };
        data?: unknown;
        status_code?: unknown;
        status_msg?: unknown;
      }
    | undefined;
  try {
    parsed = contentType.includes('json') ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (c.path.startsWith('/api/im/')) {
    // The IM-compatible read API answers errors in the original's envelope (BRIDGE.md).
    const original =
      parsed?.data === null &&
      parsed.status_code === status &&
      typeof parsed.status_msg === 'string' &&
      parsed.status_msg.length > 0;
    if (!original) tally.fail(`shape ${status}`, `${text.slice(0, 200)} ← ${label}`);
    return;
  }
  const error = parsed?.error;
  const shaped =
    error !== undefined &&
    (ERROR_CODES as readonly unknown[]).includes(error.code) &&
    typeof error.message === 'string' &&
    error.message.length > 0 &&
    typeof error.trace_id === 'string';
  if (!shaped) tally.fail(`shape ${status}`, `${text.slice(0, 200)} ← ${label}`);
  else if (error.code === 'INTERNAL')
    tally.fail('INTERNAL', `${status} ${text.slice(0, 200)} ← ${label}`);
}
