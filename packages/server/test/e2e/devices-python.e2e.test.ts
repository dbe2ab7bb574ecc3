/**
 * Interop with peers no one on the team wrote against our code: a xiaozhi device in Python
 * (python3-websockets, Opus through Debian's libopus0) in each Protocol-Version, and an AI
 * service in Python (python3-grpcio, stubs compiled from proto/). The test setup installs the
 * Debian packages when missing (support/engines.ts).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import OpusScript from 'opusscript';
import { describe, expect, it } from 'vitest';
import { startAiService } from '../support/ai-service.js';
import { DeviceTestClient } from '../support/device-client.js';
import { e2eServersPerTest } from '../support/e2e-fixture.js';
import { DEBIAN_PYTHON } from '../support/engines.js';
import { freePort } from '../support/ports.js';
import { run } from '../support/process.js';

const PY_DEVICE = fileURLToPath(
  new URL('../fixtures/python-device/device_client.py', import.meta.url),
);
const PY_AI = fileURLToPath(new URL('../fixtures/python-ai/ai_server.py', import.meta.url));
const execFileAsync = promisify(execFile);

let mac = 0;
const newMac = () => `9e:00:00:00:00:${String(mac++).padStart(2, '0')}`;

interface PythonDeviceResult {
  hello: Record<string, unknown>;
  voice_turn: string[];
  stt: string;
  decoded_samples: number[];
  session_ids: string[];
  text_turn: string;
  alert: Record<string, unknown>;
}

async function pythonDevice(
  url: string,
  token: string,
  version: number,
): Promise<PythonDeviceResult> {
  const wsUrl = `${url.replace(/^http/, 'ws')}/xiaozhi/v1/`;
  const { stdout } = await execFileAsync(
    DEBIAN_PYTHON,
    [PY_DEVICE, wsUrl, token, newMac(), String(version), '5'],
    {
      timeout: 30_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as PythonDeviceResult;
}

describe('interop: a device in Python', () => {
  const servers = e2eServersPerTest();

  for (const version of [1, 2, 3]) {
    it(`speaks Protocol-Version ${version} with Parley and the reference AI service`, async () => {
      const ai = await startAiService({ replyFrames: 4, frameIntervalMs: 5 });
      servers.onClose(() => ai.close());
      const t = await servers.start('sqlite', { ai_addr: ai.addr });
      const owner = await t.account('py');
      const result = await pythonDevice(t.url, owner.access_token, version);
      expect(result.hello).toMatchObject({
        type: 'hello',
        transport: 'websocket',
        audio_params: { format: 'opus', sample_rate: 24000, channels: 1, frame_duration: 60 },
      });
      expect(result.stt).toBe('(heard 5 audio frames)');
      expect(result.voice_turn).toEqual([
        'stt',
        'llm',
        'tts:start',
        'tts:sentence_start',
        'tts:sentence_start',
        'tts:stop',
      ]);
      // libopus decoded every frame Parley relayed: 4 frames of 60 ms at 24 kHz.
      expect(result.decoded_samples).toEqual([1440, 1440, 1440, 1440]);
      expect(result.session_ids).toEqual([result.hello.session_id]);
      expect(result.text_turn).toBe('You said: from python');
      expect(result.alert).toMatchObject({ type: 'alert', status: 'error', emotion: 'sad' });
    });
  }
});

describe('interop: an AI service in Python', () => {
  const servers = e2eServersPerTest();

  async function pythonAi(): Promise<string> {
    const port = await freePort();
    const ai = run(DEBIAN_PYTHON, [PY_AI, String(port)], {});
    servers.onClose(async () => {
      ai.signal('SIGTERM');
      await ai.exited;
    });
    await ai.waitFor(/LISTENING (\d+)/, 30_000);
    return `127.0.0.1:${port}`;
  }

  it('serves Parley devices in every Protocol-Version, sessions multiplexed on its streams', async () => {
    const t = await servers.start('sqlite', { ai_addr: await pythonAi(), ai_streams: 2 });
    const devices = await Promise.all(
      ([1, 2, 3, 1, 2, 3] as const).map(async (version) => {
        const owner = await t.account('pyai');
        const client = await DeviceTestClient.connect(t.url, {
          token: owner.access_token,
          deviceId: newMac(),
          version,
        });
        t.onClose(() => client.close());
        await client.hello();
        return client;
      }),
    );
    const up = Buffer.from(new OpusScript(16_000, 1).encode(Buffer.alloc(1920), 960));
    await Promise.all(
      devices.map(async (client, i) => {
        client.sendJson({ type: 'listen', state: 'start', mode: 'auto' });
        for (let n = 0; n <= i; n++) client.sendAudio(up);
        client.sendJson({ type: 'listen', state: 'stop' });
        expect((await client.next((f) => f.type === 'stt')).text).toBe(
          `(python heard ${i + 1} frames)`,
        );
        await client.next((f) => f.type === 'tts' && f.state === 'stop', 10_000);
        const decoder = new OpusScript(24_000, 1);
        expect(client.audio.map((p) => decoder.decode(p).length)).toEqual([
          2880, 2880, 2880, 2880, 2880,
        ]);
        decoder.delete();
        client.sendJson({ type: 'chat', text: `device ${i}` });
        await client.next((f) => f.type === 'llm' && f.text === `python says: device ${i}`);
      }),
    );
  });

  it('and a device in Python: neither peer written by us', async () => {
    const t = await servers.start('sqlite', { ai_addr: await pythonAi() });
    const owner = await t.account('pypy');
    const result = await pythonDevice(t.url, owner.access_token, 2);
    expect(result.stt).toBe('(python heard 5 frames)');
    expect(result.decoded_samples).toEqual([1440, 1440, 1440, 1440, 1440]);
    expect(result.text_turn).toBe('python says: from python');
  });
});
