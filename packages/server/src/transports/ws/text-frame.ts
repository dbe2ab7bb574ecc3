import { Writable } from 'node:stream';
import * as ws from 'ws';

interface FrameOptions {
  readonly fin: boolean;
  readonly opcode: number;
  readonly mask: boolean;
  readonly readOnly: boolean;
  readonly rsv1: boolean;
}

type Frame = (data: Buffer, options: FrameOptions) => Buffer[];

/** ws's own framing function, `WebSocket.Sender.frame` (exported by ws, not in its typings). */
const frame = ((): Frame => {
  const candidate = (ws as unknown as { Sender?: { frame?: unknown } }).Sender?.frame;
  if (typeof candidate !== 'function') {
    throw new Error('ws no longer exports Sender.frame; transports/ws/text-frame.ts needs a look');
  }
  return candidate as Frame;
})();

const TEXT: FrameOptions = { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false };

/**
 * One outgoing text message: its payload, and its bytes on the wire (an unmasked, unfragmented,
 * uncompressed text frame, as a server sends), framed on first use and then shared. A fan-out
 * frames once and writes the same bytes to every socket, where `ws.send` would build a header,
 * an options object and a corked two-part write per socket.
 */
export class TextFrame {
  readonly payload: Buffer;
  #wire: Buffer | undefined;

  constructor(payload: Buffer | string) {
    this.payload = typeof payload === 'string' ? Buffer.from(payload) : payload;
  }

  get wire(): Buffer {
    if (this.#wire === undefined) {
      const parts = frame(this.payload, TEXT);
      this.#wire = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    }
    return this.#wire;
  }
}

/**
 * The socket under a server-side WebSocket, when frames may be written to it directly: the
 * connection negotiated no extension, so ws's sender never holds frames back (it queues only
 * while compressing or reading a Blob) and a direct write keeps the order of everything ws
 * writes. `undefined` means: send through ws.
 */
export function rawSocketOf(socket: ws.WebSocket): Writable | undefined {
  if (socket.extensions !== '') return undefined;
  const raw = (socket as unknown as { _socket?: unknown })._socket;
  return raw instanceof Writable ? raw : undefined;
}
