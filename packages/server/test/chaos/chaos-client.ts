import WebSocket from 'ws';

interface Reply {
  readonly id: string;
  readonly ok: boolean;
  readonly data?: { message: { seq: number; conversation_id: string }; duplicate: boolean };
  readonly error?: { code: string; message: string };
}

/**
 * One sender of the chaos run: keeps `window` sends in flight on one WebSocket, records every
 * acknowledged client_msg_id, and after a lost connection reconnects and retries every send
 * it has no answer for, with the same client_msg_id.
 */
export class ChaosSender {
  readonly acked = new Map<string, { seq: number; duplicate: boolean }>();
  /** client_msg_ids sent whose answer has not come (yet). */
  readonly unacked = new Set<string>();
  attempts = 0;
  retries = 0;
  reconnects = 0;
  /** Refusals other than the server being away, by code. */
  readonly refusals = new Map<string, number>();
  #next = 0;
  #stopping = false;
  readonly #name: string;
  readonly #url: string;
  readonly #token: string;
  readonly #conversationId: string;

  constructor(name: string, wsUrl: string, token: string, conversationId: string) {
    this.#name = name;
    this.#url = wsUrl;
    this.#token = token;
    this.#conversationId = conversationId;
  }

  get token(): string {
    return this.#token;
  }

  get conversationId(): string {
    return this.#conversationId;
  }

  /** Sends new messages until `stop`, riding out every kill. */
  async run(window: number): Promise<void> {
    while (!this.#stopping) {
      const ws = await this.#connect();
      if (ws === undefined) continue;
      await this.#session(ws, window, () => !this.#stopping);
    }
  }

  stop(): void {
    this.#stopping = true;
  }

  /** After the kills: retries every unanswered send until all are acknowledged or time is up. */
  async drain(deadline: number): Promise<void> {
    this.#stopping = false;
    while (this.unacked.size > 0 && Date.now() < deadline) {
      const ws = await this.#connect();
      if (ws === undefined) continue;
      await this.#session(ws, 8, () => this.unacked.size > 0 && Date.now() < deadline, true);
    }
  }

  async #connect(): Promise<WebSocket | undefined> {
    return new Promise((resolve) => {
      const ws = new WebSocket(this.#url, { headers: { authorization: `Bearer ${this.#token}` } });
      const fail = () => {
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        setTimeout(() => resolve(undefined), 50);
      };
      ws.once('error', fail);
      ws.once('unexpected-response', fail);
      ws.once('message', () => {
        ws.off('error', fail);
        ws.on('error', () => {});
        this.reconnects += 1;
        resolve(ws);
      });
    });
  }

  /** One connection's life: sends until it closes or `go` says stop; retries come first. */
  #session(ws: WebSocket, window: number, go: () => boolean, retriesOnly = false): Promise<void> {
    return new Promise((resolve) => {
      const inFlight = new Set<string>();
      const retry = [...this.unacked];
      let closed = false;
      const pump = () => {
        while (!closed && inFlight.size < window && go()) {
          let id = retry.shift();
          if (id === undefined) {
            if (retriesOnly) break;
            id = `${this.#name}-${this.#next++}`;
          } else {
            this.retries += 1;
          }
          inFlight.add(id);
          this.unacked.add(id);
          this.attempts += 1;
          ws.send(
            JSON.stringify({
              id,
              op: 'message.send',
              data: {
                conversation_id: this.#conversationId,
                client_msg_id: id,
                type: 'text',
                content: { text: id },
              },
            }),
          );
        }
        if (!closed && inFlight.size === 0) ws.close();
      };
      ws.on('message', (raw) => {
        const reply = JSON.parse(raw.toString()) as Reply & { event?: string };
        if (reply.event !== undefined || !inFlight.has(reply.id)) return;
        inFlight.delete(reply.id);
        if (reply.ok && reply.data) {
          this.unacked.delete(reply.id);
          this.acked.set(reply.id, {
            seq: reply.data.message.seq,
            duplicate: reply.data.duplicate,
          });
        } else {
          const code = reply.error?.code ?? 'unknown';
          this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
          // Refused while the server is shutting down or overloaded: tried again later.
        }
        pump();
      });
      ws.on('close', () => {
        closed = true;
        resolve();
      });
      pump();
    });
  }
}
