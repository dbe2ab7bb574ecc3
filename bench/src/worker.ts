/**
 * A load process: the harness forks it and sends one job at a time over IPC; it runs the
 * scenario's clients and answers with the result. Marks ('start', 'end') go to the harness,
 * which samples the server's CPU and memory at those moments; 'settle' (after a scenario's
 * setup) returns once the server under test has settled.
 */
import type { LoadContext, MarkName, ScenarioResult } from './load/context.js';
import { runBridge, type BridgeParams } from './load/bridge.js';
import { runConnect, type ConnectParams } from './load/connect.js';
import { runDevices, type DevicesParams } from './load/devices.js';
import { runDirect, type DirectParams } from './load/direct.js';
import { runExt } from './load/ext.js';
import { runGroup, type GroupParams } from './load/group.js';
import { runHistory, type HistoryParams } from './load/history.js';
import { runReconnect, type ReconnectParams } from './load/reconnect.js';
import { runUnary, type UnaryParams } from './load/unary.js';
import {
  runXmppConnect,
  runXmppDirect,
  type XmppConnectParams,
  type XmppDirectParams,
} from './load/xmpp.js';

/** A job's scenario, with where the clients go: `url` for REST, `gateways` for WebSockets. */
export type Job = JobKind & { readonly gateways?: readonly string[] };

type JobKind =
  | { readonly kind: 'direct'; readonly url: string; readonly params: DirectParams }
  | {
      readonly kind: 'ext';
      readonly url: string;
      readonly params: DirectParams & { extRate: number };
    }
  | { readonly kind: 'group'; readonly url: string; readonly params: GroupParams }
  | { readonly kind: 'connect'; readonly url: string; readonly params: ConnectParams }
  | { readonly kind: 'reconnect'; readonly url: string; readonly params: ReconnectParams }
  | { readonly kind: 'history'; readonly url: string; readonly params: HistoryParams }
  | { readonly kind: 'bridge'; readonly url: string; readonly params: BridgeParams }
  | { readonly kind: 'devices'; readonly url: string; readonly params: DevicesParams }
  | { readonly kind: 'unary'; readonly url: string; readonly params: UnaryParams }
  | { readonly kind: 'xmpp-connect'; readonly url: string; readonly params: XmppConnectParams }
  | { readonly kind: 'xmpp-direct'; readonly url: string; readonly params: XmppDirectParams };

export type WorkerMessage =
  | { readonly type: 'mark'; readonly name: MarkName; readonly seq: number }
  | { readonly type: 'result'; readonly result: ScenarioResult }
  | { readonly type: 'error'; readonly message: string };

const send = (message: WorkerMessage) => process.send?.(message);

/** CPU seconds this load process used between its marks: the client side's cost. */
let clientCpuS = 0;

function context(url: string, gateways: readonly string[] = [url]): LoadContext {
  let seq = 0;
  let cpuAtStart = process.cpuUsage();
  return {
    url,
    gateways,
    mark(name) {
      if (name === 'start') cpuAtStart = process.cpuUsage();
      else if (name === 'end') {
        const used = process.cpuUsage(cpuAtStart);
        clientCpuS = (used.user + used.system) / 1e6;
      }
      const mine = seq++;
      send({ type: 'mark', name, seq: mine });
      // Wait for the harness to have sampled, so the measured window is exact.
      return new Promise((resolve) => {
        const onMessage = (m: { type?: string; seq?: number }) => {
          if (m.type !== 'marked' || m.seq !== mine) return;
          process.off('message', onMessage);
          resolve();
        };
        process.on('message', onMessage);
      });
    },
  };
}

async function run(job: Job): Promise<ScenarioResult> {
  clientCpuS = 0;
  const result = await scenario(job);
  return { ...result, client_cpu_s: Math.round(clientCpuS * 1000) / 1000 };
}

function scenario(job: Job): Promise<ScenarioResult> {
  const ctx = context(job.url, job.gateways);
  switch (job.kind) {
    case 'direct':
      return runDirect(ctx, job.params);
    case 'ext':
      return runExt(ctx, job.params);
    case 'group':
      return runGroup(ctx, job.params);
    case 'connect':
      return runConnect(ctx, job.params);
    case 'reconnect':
      return runReconnect(ctx, job.params);
    case 'history':
      return runHistory(ctx, job.params);
    case 'bridge':
      return runBridge(ctx, job.params);
    case 'devices':
      return runDevices(ctx, job.params);
    case 'unary':
      return runUnary(ctx, job.params);
    case 'xmpp-connect':
      return runXmppConnect(ctx, job.params);
    case 'xmpp-direct':
      return runXmppDirect(ctx, job.params);
  }
}

process.on('message', (message: { type?: string; job?: Job }) => {
  if (message.type !== 'job' || message.job === undefined) return;
  run(message.job).then(
    (result) => send({ type: 'result', result }),
    (err: unknown) =>
      send({
        type: 'error',
        message: err instanceof Error ? (err.stack ?? err.message) : String(err),
      }),
  );
});
