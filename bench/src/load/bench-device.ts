/**
 * A device's WebSocket for the `devices` scenario, on a bare TCP socket: a thousand devices
 * each sending 16.7 frames a second cost the load process less this way than through `ws`,
 * and the load process shares the machine with the server it measures. It speaks what a
 * device needs of RFC 6455 and no more: the client handshake, masked frames out (a random
 * key per device), unmasked frames in (text and binary, unfragmented, as Parley sends them),
 * pings answered with pongs.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

export interface BenchDeviceEvents {
  text(text: string): void;
  binary(data: Buffer): void;
}

export class BenchDevice {
  readonly #socket: Socket;
  readonly #mask = randomBytes(4);
  #events: BenchDeviceEvents = { text: () => {}, binary: () => {} };
  #rest: Buffer = Buffer.alloc(0);
  open = true;

  private constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** Connects and upgrades; resolves once the server said 101. */
  static async open(url: URL, headers: Record<string, string>): Promise<BenchDevice> {
    const socket = connect(Number(url.port), url.hostname);
    socket.setNoDelay(true);
    const key = randomBytes(16).toString('base64');
    const lines = [
      `GET ${url.pathname} HTTP/1.1`,
      `Host: ${url.host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`,
      'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    const rest = await new Promise<Buffer>((resolve, reject) => {
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        const status = head.subarray(0, head.indexOf('\r\n')).toString();
        if (!/^HTTP\/1\.1 101/.test(status)) reject(new Error(`upgrade refused: ${status}`));
        else resolve(head.subarray(end + 4));
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
    const device = new BenchDevice(socket);
    socket.on('data', (chunk: Buffer) => device.#data(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      device.open = false;
    });
    if (rest.length > 0) setImmediate(() => device.#data(rest));
    return device;
  }

  on(events: BenchDeviceEvents): void {
    this.#events = events;
  }

  sendText(text: string): void {
    this.#send(OP_TEXT, Buffer.from(text));
  }

  sendBinary(data: Buffer): void {
    this.#send(OP_BINARY, data);
  }

  close(): void {
    if (!this.open) return;
    this.#send(OP_CLOSE, Buffer.from([0x03, 0xe8]));
    this.#socket.end();
    this.open = false;
  }

  /** One masked frame, header and payload in one buffer and one write. */
  #send(opcode: number, payload: Buffer): void {
    if (this.#socket.destroyed) return;
    const n = payload.length;
    const head = n < 126 ? 2 : n <= 0xffff ? 4 : 10;
    const frame = Buffer.allocUnsafe(head + 4 + n);
    frame[0] = 0x80 | opcode;
    if (head === 2) frame[1] = 0x80 | n;
    else if (head === 4) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(n, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(n), 2);
    }
    const mask = this.#mask;
    mask.copy(frame, head);
    const at = head + 4;
    for (let i = 0; i < n; i++) frame[at + i] = payload[i]! ^ mask[i & 3]!;
    this.#socket.write(frame);
  }

  #data(chunk: Buffer): void {
    let buf = this.#rest.length === 0 ? chunk : Buffer.concat([this.#rest, chunk]);
    for (;;) {
      if (buf.length < 2) break;
      const opcode = buf[0]! & 0x0f;
      let n = buf[1]! & 0x7f;
      let at = 2;
      if (n === 126) {
        if (buf.length < 4) break;
        n = buf.readUInt16BE(2);
        at = 4;
      } else if (n === 127) {
        if (buf.length < 10) break;
        n = Number(buf.readBigUInt64BE(2));
        at = 10;
      }
      if (buf.length < at + n) break;
      const payload = buf.subarray(at, at + n);
      buf = buf.subarray(at + n);
      if (opcode === OP_BINARY) this.#events.binary(payload);
      else if (opcode === OP_TEXT) this.#events.text(payload.toString('utf8'));
      else if (opcode === OP_PING) this.#send(OP_PONG, Buffer.from(payload));
      else if (opcode === OP_CLOSE) this.close();
    }
    this.#rest = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
  }
}
