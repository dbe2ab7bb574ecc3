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

export async function connectUser(url: string): Promise<BenchUser> {
  const { token, userId } = await signUp(url);
  return { ws: await openSocket(url, token), userId, token };
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

/** The `text` of a delivered frame: Parley's `message.new`, or the relay's raw send frame. */
export function deliveredText(raw: WebSocket.RawData): string | undefined {
  const frame = JSON.parse(raw.toString()) as {
    event?: string;
    op?: string;
    data?: { message?: { content?: { text?: string } }; content?: { text?: string } };
  };
  if (frame.event === 'message.new') return frame.data?.message?.content?.text;
  if (frame.op === 'message.send') return frame.data?.content?.text;
  return undefined;
}
