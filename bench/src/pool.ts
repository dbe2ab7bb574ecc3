/** Runs jobs in a forked load process and samples the server around each measured phase. */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ScenarioResult } from './load/context.js';
import type { BenchServer } from './server.js';
import type { Job, WorkerMessage } from './worker.js';
import { clockTicksPerSecond, machineBusySeconds } from './proc.js';
import { cpuDelta } from './stats.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

export interface Measured {
  readonly result: ScenarioResult;
  readonly cpuSeconds: number;
  /** The CPU seconds of each process tree, when the server is several (they sum to cpuSeconds). */
  readonly cpuByProcess?: Readonly<Record<string, number>>;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  /** Busy CPU seconds of the whole machine in the window: the server, the load and the rest. */
  readonly machineCpuSeconds?: number;
}

/** What the harness samples at the marks: a BenchServer, or a shape of several processes. */
export type Sampled = Pick<BenchServer, 'cpuSeconds' | 'rssBytes'> & {
  /** CPU seconds per named process tree, read at one moment. */
  cpuByProcess?(): Readonly<Record<string, number>>;
  /**
   * Lets the server settle between a scenario's setup and its measured runs (a shape's start-up
   * and setup work done, the engines' housekeeping after bulk setup writes). Absent: no wait.
   */
  settle?(): Promise<void>;
};

export class LoadProcess {
  readonly #child: ChildProcess;
  readonly #ticks = clockTicksPerSecond();

  constructor() {
    // Client sockets count against the open-file limit: the load gets its own process.
    this.#child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    // A send to a load process that is gone (a Ctrl-C reaches it too) fails the job that
    // sent it, through the callbacks below; the process itself must not die of it.
    this.#child.on('error', () => {});
  }

  run(server: Sampled, job: Job): Promise<Measured> {
    let cpuStart: Readonly<Record<string, number>> = {};
    let cpuEnd: Readonly<Record<string, number>> = {};
    let rssBefore = 0;
    let rssAfter = 0;
    let machineStart = 0;
    let machineEnd = 0;
    const machine = () => machineBusySeconds(readFileSync('/proc/stat', 'utf8'), this.#ticks);
    const cpu = () => server.cpuByProcess?.() ?? { server: server.cpuSeconds() };
    return new Promise((resolve, reject) => {
      const onMessage = (message: WorkerMessage) => {
        if (message.type === 'mark') {
          if (message.name === 'settle') {
            const settled = server.settle?.() ?? Promise.resolve();
            settled.then(
              () => this.#child.send({ type: 'marked', seq: message.seq }, failed),
              (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))),
            );
            return;
          }
          if (message.name === 'start') {
            cpuStart = cpu();
            machineStart = machine();
            rssBefore = server.rssBytes();
          } else {
            cpuEnd = cpu();
            machineEnd = machine();
            rssAfter = server.rssBytes();
          }
          this.#child.send({ type: 'marked', seq: message.seq }, failed);
          return;
        }
        this.#child.off('message', onMessage);
        this.#child.off('exit', onExit);
        if (message.type === 'error') reject(new Error(`load process: ${message.message}`));
        else {
          const byProcess = cpuDelta(cpuStart, cpuEnd);
          resolve({
            result: message.result,
            cpuSeconds: Object.values(byProcess).reduce((a, b) => a + b, 0),
            ...(server.cpuByProcess !== undefined && { cpuByProcess: byProcess }),
            rssBeforeBytes: rssBefore,
            rssAfterBytes: rssAfter,
            machineCpuSeconds: machineEnd - machineStart,
          });
        }
      };
      const onExit = (code: number | null) =>
        reject(new Error(`the load process exited (${code})`));
      const failed = (err: Error | null) => {
        if (err !== null) reject(new Error(`the load process is gone: ${err.message}`));
      };
      this.#child.on('message', onMessage);
      this.#child.once('exit', onExit);
      this.#child.send({ type: 'job', job }, failed);
    });
  }

  close(): void {
    this.#child.kill();
  }
}
