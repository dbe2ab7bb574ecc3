/**
 * `devices` (seed 002): N devices, each streaming 60 ms Opus-sized frames up (16.7 frames/s)
 * through Parley to an AI service that streams a frame back for each one. The AI service runs
 * in a process of its own (devices-ai.ts); both stamp and read times on the wall clock with
 * sub-millisecond precision. The devices are WebSockets on bare sockets (bench-device.ts).
 * Measures frames relayed per second each way, p99 relay latency device → AI and AI →
 * device, and the server's RSS per device session; the harness adds server CPU per relayed
 * frame.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BenchDevice } from './bench-device.js';
import { inBatches } from './clients.js';
import type { LoadContext, ScenarioResult } from './context.js';
import { summarize } from '../stats.js';
import {
  FRAME_MS,
  stamp,
  wallNow,
  type AiControl,
  type AiPeer,
  type AiReport,
} from './devices-ai.js';

const AI_PROCESS = fileURLToPath(new URL('./devices-ai.js', import.meta.url));

export interface DevicesParams {
  readonly devices: number;
  readonly durationMs: number;
  /** The port the AI service listens on (Parley was started with PARLEY_AI_ADDR on it). */
  readonly aiPort: number;
  /** How the bench's AI service speaks gRPC (devices-ai.ts). */
  readonly aiPeer: AiPeer;
  /** The server's pid, for its RSS before and during the streaming. */
  readonly serverPid: number;
  readonly version: 1 | 2 | 3;
}

const WARM_UP_MS = 1_000;

function wrap(version: 1 | 2 | 3, opus: Buffer): Buffer {
  if (version === 1) return opus;
  const header = Buffer.alloc(version === 2 ? 16 : 4);
  if (version === 2) {
    header.writeUInt16BE(2, 0);
    header.writeUInt32BE(opus.length, 12);
  } else header.writeUInt16BE(opus.length, 2);
  return Buffer.concat([header, opus]);
}

const headerBytes = (version: 1 | 2 | 3) => (version === 1 ? 0 : version === 2 ? 16 : 4);

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return Number(kib ?? 0) * 1024;
}

interface Tally {
  measuring: boolean;
  down: number[];
}

/** Forks the AI service (devices-ai.ts) on `port`; resolves once it listens. */
async function forkAi(port: number, peer: AiPeer): Promise<ChildProcess> {
  const child = fork(AI_PROCESS, ['--serve', String(port), peer], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m: AiReport) =>
      m.type === 'ready' ? resolve() : reject(new Error('AI')),
    );
    child.once('exit', (code) => reject(new Error(`the bench AI service exited (${code})`)));
  });
  return child;
}

/** The device → AI latencies the AI process recorded. */
function aiReport(child: ChildProcess): Promise<number[]> {
  return new Promise((resolve) => {
    child.once('message', (m: AiReport) => resolve(m.type === 'report' ? m.up : []));
    child.send({ type: 'report' } satisfies AiControl);
  });
}

async function waitConnected(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const health = (await (await fetch(`${url}/health`)).json()) as { grpc_status?: string };
    if (health.grpc_status === 'connected') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('Parley did not connect to the bench AI service in 30 s');
}

async function openDevice(url: string, token: string, id: number, p: DevicesParams, tally: Tally) {
  const device = await BenchDevice.open(new URL(`${url}/xiaozhi/v1/`), {
    Authorization: `Bearer ${token}`,
    'Device-Id': `be:9c:00:${(id >> 16) & 0xff}:${(id >> 8) & 0xff}:${id & 0xff}`,
    'Client-Id': `bench-${id}`,
    'Protocol-Version': String(p.version),
  });
  const skip = headerBytes(p.version);
  await new Promise<void>((resolve) => {
    device.on({
      binary: (data) => {
        if (tally.measuring) tally.down.push(wallNow() - data.readDoubleBE(skip));
      },
      text: (text) => {
        if (!text.includes('"type":"hello"')) return;
        device.sendText('{"type":"listen","state":"start","mode":"realtime"}');
        resolve();
      },
    });
    device.sendText(
      JSON.stringify({
        type: 'hello',
        version: p.version,
        transport: 'websocket',
        audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 },
      }),
    );
  });
  return device;
}

export async function runDevices(ctx: LoadContext, p: DevicesParams): Promise<ScenarioResult> {
  const tally: Tally = { measuring: false, down: [] };
  const ai = await forkAi(p.aiPort, p.aiPeer);
  try {
    await waitConnected(ctx.url);
    const res = await fetch(`${ctx.url}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: `bench_devices_${Date.now()}`,
        password: 'bench password 1',
      }),
    });
    if (!res.ok) throw new Error(`register failed: ${res.status}`);
    const { access_token: token } = (await res.json()) as { access_token: string };
    const rssBefore = rssBytes(p.serverPid);
    const ids = Array.from({ length: p.devices }, (_, i) => i);
    const sockets = await inBatches(ids, 50, (id) => openDevice(ctx.url, token, id, p, tally));
    let sent = 0;
    const timers = sockets.map((device, i) =>
      setTimeout(
        () => {
          const tick = () => {
            if (!device.open) return;
            device.sendBinary(wrap(p.version, stamp()));
            if (tally.measuring) sent++;
          };
          tick();
          timers[i] = setInterval(tick, FRAME_MS);
        },
        (i * FRAME_MS) / sockets.length,
      ),
    );
    await new Promise((r) => setTimeout(r, WARM_UP_MS));
    await ctx.mark('start');
    tally.measuring = true;
    ai.send({ type: 'measure', on: true } satisfies AiControl);
    const started = performance.now();
    await new Promise((r) => setTimeout(r, p.durationMs));
    tally.measuring = false;
    ai.send({ type: 'measure', on: false } satisfies AiControl);
    const elapsedS = (performance.now() - started) / 1000;
    await ctx.mark('end');
    const rssDuring = rssBytes(p.serverPid);
    for (const timer of timers) clearInterval(timer);
    for (const device of sockets) device.close();
    const up = summarize(await aiReport(ai));
    const down = summarize(tally.down);
    const delivered = up.count + down.count;
    return {
      scenario: 'devices',
      clients: p.devices,
      protocol_version: p.version,
      ai_peer: p.aiPeer,
      sent,
      delivered,
      msgs_per_s: Math.round(delivered / elapsedS),
      up_frames_per_s: Math.round(up.count / elapsedS),
      down_frames_per_s: Math.round(down.count / elapsedS),
      up_p50_ms: up.p50,
      up_p99_ms: up.p99,
      down_p50_ms: down.p50,
      down_p99_ms: down.p99,
      p50_ms: Math.max(up.p50, down.p50),
      p95_ms: Math.max(up.p95, down.p95),
      p99_ms: Math.max(up.p99, down.p99),
      max_ms: Math.max(up.max, down.max),
      rss_per_session_kib: Math.round(((rssDuring - rssBefore) / p.devices / 1024) * 10) / 10,
    };
  } finally {
    ai.kill();
  }
}
