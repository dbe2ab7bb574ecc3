import WebSocket from 'ws';

/** A JSON frame a device got. */
export type DeviceFrame = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface DeviceConnectOptions {
  readonly token?: string;
  readonly deviceId?: string;
  readonly clientId?: string;
  readonly version?: 1 | 2 | 3;
  /** Put the credentials in the query string (as browsers must) instead of headers. */
  readonly viaQuery?: boolean;
  readonly path?: string;
}

/**
 * A xiaozhi device for end-to-end tests, speaking DEVICES.md's frames and nothing more: JSON in
 * text frames, Opus in binary frames in its Protocol-Version.
 */
export class DeviceTestClient {
  readonly ws: WebSocket;
  readonly version: 1 | 2 | 3;
  readonly frames: DeviceFrame[] = [];
  /** Opus payloads received (headers of versions 2 and 3 removed and checked). */
  readonly audio: Buffer[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: { test: (f: DeviceFrame) => boolean; resolve: (f: DeviceFrame) => void }[] = [];

  private constructor(ws: WebSocket, version: 1 | 2 | 3) {
    this.ws = ws;
    this.version = version;
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        this.audio.push(unwrap(version, data));
        return;
      }
      const frame = JSON.parse(data.toString()) as DeviceFrame;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.test(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  static async connect(baseUrl: string, options: DeviceConnectOptions): Promise<DeviceTestClient> {
    const version = options.version ?? 1;
    const params = {
      authorization: options.token === undefined ? undefined : `Bearer ${options.token}`,
      'device-id': options.deviceId,
      'client-id': options.clientId ?? 'b5e0b1c8-3f0e-4a8c-9a55-000000000001',
      'protocol-version': String(version),
    };
    const defined = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
    const base = `${baseUrl.replace(/^http/, 'ws')}${options.path ?? '/xiaozhi/v1/'}`;
    const ws = options.viaQuery
      ? new WebSocket(`${base}?${new URLSearchParams(defined).toString()}`)
      : new WebSocket(base, { headers: Object.fromEntries(defined) });
    const client = new DeviceTestClient(ws, version);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  sendJson(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The xiaozhi hello; resolves with the server's hello. */
  async hello(features: Record<string, unknown> = {}): Promise<DeviceFrame> {
    this.sendJson({
      type: 'hello',
      version: this.version,
      transport: 'websocket',
      features,
      audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 },
    });
    return this.next((f) => f.type === 'hello');
  }

  /** One Opus packet in this device's Protocol-Version. */
  sendAudio(opus: Buffer, timestampMs = 0): void {
    this.ws.send(wrap(this.version, opus, timestampMs));
  }

  /** The first frame, past or future, that passes `test`. */
  next(test: (f: DeviceFrame) => boolean, timeoutMs = 5_000): Promise<DeviceFrame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching frame in ${timeoutMs} ms: ${JSON.stringify(this.frames.slice(-5))}`,
            ),
          ),
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

  /** Forgets the frames seen so far (a new turn). */
  clear(): void {
    this.frames.length = 0;
    this.audio.length = 0;
  }

  close(): void {
    this.ws.close();
  }
}

export function wrap(version: 1 | 2 | 3, opus: Buffer, timestampMs = 0): Buffer {
  if (version === 1) return opus;
  if (version === 2) {
    const header = Buffer.alloc(16);
    header.writeUInt16BE(2, 0);
    header.writeUInt16BE(0, 2);
    header.writeUInt32BE(timestampMs, 8);
    header.writeUInt32BE(opus.length, 12);
    return Buffer.concat([header, opus]);
  }
  const header = Buffer.alloc(4);
  header.writeUInt16BE(opus.length, 2);
  return Buffer.concat([header, opus]);
}

function unwrap(version: 1 | 2 | 3, frame: Buffer): Buffer {
  if (version === 1) return frame;
  if (version === 2) {
    if (frame.readUInt16BE(0) !== 2 || frame.readUInt32BE(12) !== frame.length - 16)
      throw new Error('a version 2 frame with a bad header');
    return frame.subarray(16);
  }
  if (frame.readUInt8(0) !== 0 || frame.readUInt16BE(2) !== frame.length - 4)
    throw new Error('a version 3 frame with a bad header');
  return frame.subarray(4);
}
