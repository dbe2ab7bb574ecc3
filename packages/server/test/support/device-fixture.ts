/** The shared setup of the device e2e files: a server bridged to the reference AI service. */
import OpusScript from 'opusscript';
import { afterAll, beforeAll } from 'vitest';
import type { AuthResult } from '@parley/client';
import { startAiService, type AiService, type AiServiceOptions } from './ai-service.js';
import { DeviceTestClient, type DeviceConnectOptions } from './device-client.js';
import { e2eServer, type E2eServer } from './e2e-fixture.js';
import type { Engine } from './test-server.js';

/** One real Opus packet of 60 ms at 16 kHz mono, as devices send. */
export const OPUS_UPLINK_FRAME: Buffer = (() => {
  const encoder = new OpusScript(16_000, 1, OpusScript.Application.VOIP);
  const pcm = Buffer.alloc(960 * 2);
  for (let i = 0; i < 960; i++) pcm.writeInt16LE(Math.round(4000 * Math.sin(i / 5)), i * 2);
  const packet = Buffer.from(encoder.encode(pcm, 960));
  encoder.delete();
  return packet;
})();

/** Fresh MAC-like device ids, `prefix` telling the files apart. */
export function macs(prefix: string): () => string {
  let n = 0;
  return () =>
    `${prefix}:${String(Math.floor(n / 100)).padStart(2, '0')}:${String(n++ % 100).padStart(2, '0')}`;
}

export interface DeviceServer {
  readonly t: E2eServer;
  ai(): AiService;
  newMac(): string;
  /** A connected device (not yet said hello) of a new account, unless `token` is given. */
  device(
    options?: Partial<DeviceConnectOptions>,
  ): Promise<{ client: DeviceTestClient; owner: AuthResult | undefined }>;
}

/** For the enclosing describe: the reference AI service, then a server using it. */
export function deviceServer(
  engine: Engine,
  macPrefix: string,
  aiOptions: AiServiceOptions = { replyFrames: 6, frameIntervalMs: 20 },
): DeviceServer {
  let ai: AiService | undefined;
  const overrides: Record<string, unknown> = { ai_streams: 2, ai_reconnect_max_ms: 500 };
  beforeAll(async () => {
    ai = await startAiService(aiOptions);
    overrides.ai_addr = ai.addr;
  });
  afterAll(() => ai?.close());
  const t = e2eServer(engine, overrides);
  const newMac = macs(macPrefix);
  return {
    t,
    newMac,
    ai: () => {
      if (ai === undefined) throw new Error('the AI service starts in beforeAll');
      return ai;
    },
    async device(options = {}) {
      const owner = options.token === undefined ? await t.account('dev') : undefined;
      const client = await DeviceTestClient.connect(t.url, {
        token: options.token ?? owner!.access_token,
        deviceId: options.deviceId ?? newMac(),
        ...options,
      });
      t.onClose(() => client.close());
      return { client, owner };
    },
  };
}
