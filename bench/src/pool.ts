/** Runs jobs in a forked load process and samples the server around each measured phase. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ScenarioResult } from './load/context.js';
import type { BenchServer } from './server.js';
import type { Job, WorkerMessage } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

export interface Measured {
  readonly result: ScenarioResult;
  readonly cpuSeconds: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
}

export class LoadProcess {
  readonly #child: ChildProcess;

  constructor() {
    // Client sockets count against the open-file limit: the load gets its own process.
    this.#child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  }

  run(server: BenchServer, job: Job): Promise<Measured> {
    let cpuStart = 0;
    let cpuEnd = 0;
    let rssBefore = 0;
    let rssAfter = 0;
    return new Promise((resolve, reject) => {
      const onMessage = (message: WorkerMessage) => {
        if (message.type === 'mark') {
          if (message.name === 'start') {
            cpuStart = server.cpuSeconds();
            rssBefore = server.rssBytes();
          } else {
            cpuEnd = server.cpuSeconds();
            rssAfter = server.rssBytes();
          }
          this.#child.send({ type: 'marked', seq: message.seq });
          return;
        }
        this.#child.off('message', onMessage);
        this.#child.off('exit', onExit);
        if (message.type === 'error') reject(new Error(`load process: ${message.message}`));
        else
          resolve({
            result: message.result,
            cpuSeconds: cpuEnd - cpuStart,
            rssBeforeBytes: rssBefore,
            rssAfterBytes: rssAfter,
          });
      };
      const onExit = (code: number | null) =>
        reject(new Error(`the load process exited (${code})`));
      this.#child.on('message', onMessage);
      this.#child.once('exit', onExit);
      this.#child.send({ type: 'job', job });
    });
  }

  close(): void {
    this.#child.kill();
  }
}
