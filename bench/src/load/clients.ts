/** Benchmark clients: Parley users (guests, no password hashing) and bare relay peers. */
import WebSocket from 'ws';

export interface BenchUser {
  readonly ws: WebSocket;
  readonly userId: string;
  readonly token: string;
}

const wsUrl = (url: string) => url.replace(/^http/, 'ws');

/** A fresh guest account (the bench server runs with PARLEY_GUEST_POLICY=full). */
export async function signUp(url: string): Promise<{ token: string; userId: string }> {
  const res = await fetch(`${url}/v1/auth/guest`, { method: 'POST' });
  if (!res.ok) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const auth = (await res.json()) as { access_token: string; user: { user_id: string } };
  return { token: auth.access_token, userId: auth.user.user_id };
}

/** Opens a WebSocket with the token and resolves on `ready`. */
export function openSocket(url: string, token: string): Promise<WebSocket> {
  const ws = new WebSocket(`${wsUrl(url)}/v1/ws`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return new Promise((resolve, reject) => {
    ws.once('message', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode}`)),
    );
  });
}

/** Signs up on `url` (REST) and connects to `gateway` (by default the same server). */
export async function connectUser(url: string, gateway = url): Promise<BenchUser> {
  const { token, userId } = await signUp(url);
  return { ws: await openSocket(gateway, token), userId, token };
}

/** A peer of the bare relay (the floor): `peer` names where its frames go, or `all`. */
export function connectRelay(url: string, id: string, peer: string): Promise<BenchUser> {
  const ws = new WebSocket(`${wsUrl(url)}/?id=${id}&peer=${peer}`);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, userId: id, token: '' }));
    ws.once('error', reject);
  });
}

/** Runs `fn` over `items` with at most `limit` at once. */
export async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

const MESSAGE_NEW = Buffer.from('{"event":"message.new"');
const RELAYED = Buffer.from('{"id":');
const TEXT = Buffer.from('"content":{"text":"');

/**
 * The `text` of a delivered frame: Parley's `message.new`, or the relay's raw send frame.
 * Found by scanning the bytes, not by parsing the JSON: the load process reads every delivery
 * of every client, and must not be the bottleneck of what it measures. The bench's texts are
 * plain digits, so no escape can hide in them; both targets are read the same way.
 */
export function deliveredText(raw: WebSocket.RawData): string | undefined {
  const bytes = raw as Buffer;
  const isParley = bytes.subarray(0, MESSAGE_NEW.length).equals(MESSAGE_NEW);
  if (!isParley && !bytes.subarray(0, RELAYED.length).equals(RELAYED)) return undefined;
  const at = bytes.indexOf(TEXT);
  if (at < 0) return undefined;
  const from = at + TEXT.length;
  const to = bytes.indexOf(0x22, from);
  return to < 0 ? undefined : bytes.toString('latin1', from, to);
}

const OK = Buffer.from('"ok":true');
const NOT_OK = Buffer.from('"ok":false');

/** Whether a frame is a reply, and how it went: `{"id":…,"ok":…}` (scanned, as above). */
export function replyOutcome(raw: WebSocket.RawData): 'ok' | 'error' | undefined {
  const bytes = raw as Buffer;
  if (!bytes.subarray(0, RELAYED.length).equals(RELAYED)) return undefined;
  // The id (a number or a string of at most 128 characters) comes first, then "ok".
  const head = bytes.subarray(0, 160);
  if (head.indexOf(OK) >= 0) return 'ok';
  if (head.indexOf(NOT_OK) >= 0) return 'error';
  return undefined;
}
