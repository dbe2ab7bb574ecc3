import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import { GRPC_PREFIX_BYTES } from './ai-wire.js';

/** grpc-message is percent-encoded; a malformed one is shown as it came. */
function unescape(message: string | string[]): string {
  const text = String(message).slice(0, 512);
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** How long one turn of the event loop delivers messages of a chunk before it yields. */
const DELIVERY_SLICE_MS = 2;

export interface H2CallEvents {
  /** One message from the server (without its gRPC prefix); throwing breaks the call. */
  message(bytes: Buffer): void;
  /** The call ended or failed; called once, and nothing follows. */
  broken(reason: string): void;
  /** The write buffer went over `congestedBytes` (true) or back under half of it (false). */
  congestion(congested: boolean): void;
}

export interface H2CallLimits {
  /** Bytes handed to HTTP/2 and not yet sent (flow control, a slow peer) that make it full. */
  readonly congestedBytes: number;
  /** The largest message taken from the server (gRPC's default is 4 MiB). */
  readonly maxMessageBytes: number;
}

/**
 * One bidirectional gRPC call on an HTTP/2 stream. Messages written in one turn of the event
 * loop leave together, in one write (and so few DATA frames) at its end: a few hundred devices'
 * frames cost the stream one write, not one each. Messages from the server are cut from the
 * DATA as it comes, without a copy unless one straddles two chunks.
 */
export class H2Call {
  readonly #stream: ClientHttp2Stream;
  readonly #events: H2CallEvents;
  readonly #limits: H2CallLimits;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #flushing: NodeJS.Immediate | undefined;
  #congested = false;
  #done = false;
  /** Received bytes whose messages are delivered in a later turn (see #consume). */
  #held: Buffer | undefined;
  /** Received chunks not yet a whole message, their bytes, and how many bytes make one. */
  #partial: Buffer[] = [];
  #partialBytes = 0;
  #needed = 0;
  #status: string | undefined;

  constructor(stream: ClientHttp2Stream, events: H2CallEvents, limits: H2CallLimits) {
    this.#stream = stream;
    this.#events = events;
    this.#limits = limits;
    stream.on('response', (headers) => this.#headers(headers, 'response'));
    stream.on('trailers', (headers) => this.#headers(headers, 'trailers'));
    stream.on('data', (chunk: Buffer) => this.#data(chunk));
    stream.on('end', () => this.#broken(`the AI service ended the stream${this.#statusText()}`));
    stream.on('error', (err: Error) => this.#broken(err.message));
    stream.on('close', () => this.#broken(`the stream closed (code ${stream.rstCode ?? 0})`));
  }

  get congested(): boolean {
    return this.#congested;
  }

  /** Queues one framed message; it leaves at the end of this turn. */
  write(framed: Buffer): void {
    if (this.#done) return;
    this.#pending.push(framed);
    this.#pendingBytes += framed.length;
    this.#flushing ??= setImmediate(() => this.#flush());
  }

  /** Cancels the call (RST_STREAM); no event follows. */
  cancel(): void {
    this.#done = true;
    if (this.#flushing !== undefined) clearImmediate(this.#flushing);
    this.#pending = [];
    if (!this.#stream.destroyed) this.#stream.close();
  }

  #flush(): void {
    this.#flushing = undefined;
    if (this.#done || this.#pending.length === 0) return;
    const pending = this.#pending;
    const chunk = pending.length === 1 ? pending[0]! : Buffer.concat(pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    // What earlier turns left unsent says whether the peer keeps up; this turn's write does
    // not count (it is not sent before the loop turns).
    const unsent = this.#stream.writableLength;
    this.#stream.write(chunk, () => this.#drainedTo(this.#stream.writableLength));
    if (!this.#congested && unsent >= this.#limits.congestedBytes) {
      this.#congested = true;
      this.#events.congestion(true);
    }
  }

  #drainedTo(unsent: number): void {
    if (this.#done || !this.#congested || unsent > this.#limits.congestedBytes / 2) return;
    this.#congested = false;
    this.#events.congestion(false);
  }

  #headers(headers: IncomingHttpHeaders, which: 'response' | 'trailers'): void {
    if (which === 'response') {
      const status = headers[':status'];
      const type = String(headers['content-type'] ?? '');
      if (Number(status) !== 200 || !type.startsWith('application/grpc')) {
        return this.#broken(
          `the AI service answered HTTP ${status} (${type || 'no content type'})`,
        );
      }
    }
    const grpcStatus = headers['grpc-status'];
    if (grpcStatus !== undefined) {
      const message = headers['grpc-message'];
      this.#status =
        message === undefined ? String(grpcStatus) : `${grpcStatus} ${unescape(message)}`;
    }
  }

  #statusText(): string {
    return this.#status === undefined ? '' : ` (grpc-status ${this.#status})`;
  }

  #data(chunk: Buffer): void {
    if (this.#done) return;
    let buf = chunk;
    if (this.#held !== undefined) {
      // Still working through an earlier chunk in later turns: this one waits its turn.
      this.#held = Buffer.concat([this.#held, chunk]);
      return;
    }
    if (this.#partial.length > 0) {
      // A message straddling chunks is copied once, when all of it is here.
      this.#partial.push(chunk);
      this.#partialBytes += chunk.length;
      if (this.#partialBytes < this.#needed) return;
      buf = Buffer.concat(this.#partial, this.#partialBytes);
      this.#partial = [];
      this.#partialBytes = 0;
    }
    this.#consume(buf);
  }

  /**
   * Delivers the whole messages in `buf`. A chunk of hundreds (an AI service answering a
   * turn's frames at once) is delivered over several turns of the event loop, a few ms of work
   * each, so that the devices' frames that arrive meanwhile are read between them, not after.
   */
  #consume(input: Buffer): void {
    let buf = input;
    const started = performance.now();
    let delivered = 0;
    while (buf.length >= GRPC_PREFIX_BYTES) {
      if (++delivered % 16 === 0 && performance.now() - started > DELIVERY_SLICE_MS) {
        this.#held = buf;
        this.#stream.pause();
        setImmediate(() => {
          const held = this.#held;
          this.#held = undefined;
          if (held === undefined || this.#done) return;
          this.#consume(held);
          if (this.#held === undefined) this.#stream.resume();
        });
        return;
      }
      if (buf[0] !== 0) {
        return this.#broken('the AI service sent a compressed message, which was not agreed');
      }
      const length = buf.readUInt32BE(1);
      if (length > this.#limits.maxMessageBytes) {
        return this.#broken(
          `the AI service sent a message of ${length} bytes (at most ${this.#limits.maxMessageBytes})`,
        );
      }
      if (buf.length < GRPC_PREFIX_BYTES + length) break;
      const message = buf.subarray(GRPC_PREFIX_BYTES, GRPC_PREFIX_BYTES + length);
      buf = buf.subarray(GRPC_PREFIX_BYTES + length);
      try {
        this.#events.message(message);
      } catch (err) {
        return this.#broken(err instanceof Error ? err.message : String(err));
      }
      if (this.#done) return;
    }
    if (buf.length === 0) return;
    this.#partial = [buf];
    this.#partialBytes = buf.length;
    this.#needed =
      buf.length >= GRPC_PREFIX_BYTES ? GRPC_PREFIX_BYTES + buf.readUInt32BE(1) : GRPC_PREFIX_BYTES;
  }

  #broken(reason: string): void {
    if (this.#done) return;
    this.cancel();
    this.#partial = [];
    this.#events.broken(reason);
  }
}
