import WebSocket from 'ws';

export interface Frame {
  readonly id?: string | number | null;
  readonly ok?: boolean;
  readonly data?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly error?: { code: string; reason?: string; message: string };
  readonly event?: string;
}

/**
 * A bare protocol client for end-to-end tests: it speaks the frames of docs/protocol.md and
 * nothing more, so tests see exactly what the server sends.
 */
export class WsTestClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #nextId = 1;
  #waiters: { test: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.test(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  /** Connects and waits for `ready`; the token goes in the header unless `viaQuery`. */
  static async connect(baseUrl: string, token: string, viaQuery = false): Promise<WsTestClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/v1/ws${viaQuery ? `?access_token=${token}` : ''}`;
    const ws = new WebSocket(
      url,
      viaQuery ? {} : { headers: { authorization: `Bearer ${token}` } },
    );
    const client = new WsTestClient(ws);
    await client.next((f) => f.event === 'ready');
    return client;
  }

  /** The first frame, past or future, that passes `test`. */
  next(test: (f: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching frame in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.push({
        test,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  events(name: string): Frame[] {
    return this.frames.filter((f) => f.event === name);
  }

  /** Sends a request and resolves with its reply frame (ok or not). */
  request(op: string, data?: unknown): Promise<Frame> {
    const id = `r${this.#nextId++}`;
    this.ws.send(JSON.stringify({ id, op, data }));
    return this.next((f) => f.id === id && f.event === undefined, 15_000);
  }

  /** Like request, but fails unless the reply is ok; resolves with its data. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async call(op: string, data?: unknown): Promise<any> {
    const reply = await this.request(op, data);
    if (!reply.ok) throw new Error(`${op} failed: ${reply.error?.code} ${reply.error?.message}`);
    return reply.data;
  }

  close(): void {
    this.ws.close();
  }
}

/** Waits until `predicate` holds, polling. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000) {
  const start = Date.now();
  while (!(await predicate())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Tries a WebSocket upgrade that should be refused; resolves with the HTTP answer. */
export function upgradeRefusal(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}
