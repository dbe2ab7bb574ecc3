/**
 * A load process: the harness forks it and sends one job at a time over IPC; it runs the
 * scenario's clients and answers with the result. Marks ('start', 'end') go to the harness,
 * which samples the server's CPU and memory at those moments.
 */
import type { LoadContext, ScenarioResult } from './load/context.js';
import { runConnect, type ConnectParams } from './load/connect.js';
import { runDirect, type DirectParams } from './load/direct.js';
import { runExt } from './load/ext.js';
import { runGroup, type GroupParams } from './load/group.js';
import { runHistory, type HistoryParams } from './load/history.js';
import { runReconnect, type ReconnectParams } from './load/reconnect.js';

export type Job =
  | { readonly kind: 'direct'; readonly url: string; readonly params: DirectParams }
  | {
      readonly kind: 'ext';
      readonly url: string;
      readonly params: DirectParams & { extRate: number };
    }
  | { readonly kind: 'group'; readonly url: string; readonly params: GroupParams }
  | { readonly kind: 'connect'; readonly url: string; readonly params: ConnectParams }
  | { readonly kind: 'reconnect'; readonly url: string; readonly params: ReconnectParams }
  | { readonly kind: 'history'; readonly url: string; readonly params: HistoryParams };

export type WorkerMessage =
  | { readonly type: 'mark'; readonly name: 'start' | 'end'; readonly seq: number }
  | { readonly type: 'result'; readonly result: ScenarioResult }
  | { readonly type: 'error'; readonly message: string };

const send = (message: WorkerMessage) => process.send?.(message);

function context(url: string): LoadContext {
  let seq = 0;
  return {
    url,
    mark(name) {
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
  const ctx = context(job.url);
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
