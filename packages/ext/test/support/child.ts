/** Child processes for the tests: spawn, wait for a line on stdout, signal, reap. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface Child {
  readonly process: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** The first group of the first stdout/stderr match of `pattern`; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code, or the signal's name. */
  readonly exited: Promise<number | string>;
  /** Sends `signal` if the process is still running. */
  kill(signal: NodeJS.Signals): void;
}

export function startChild(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Child {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of [...listeners]) listener();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | string>((resolve) => {
    child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    process: child,
    output: () => output,
    exited,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const done = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('close', onClose);
          fn();
        };
        const check = () => {
          const match = pattern.exec(output);
          if (match) done(() => resolve(match[1] ?? match[0]));
        };
        const onClose = () =>
          done(() => reject(new Error(`exited before ${pattern} appeared:\n${output}`)));
        const timer = setTimeout(
          () => done(() => reject(new Error(`timed out waiting for ${pattern}:\n${output}`))),
          timeoutMs,
        );
        listeners.add(check);
        child.once('close', onClose);
        check();
      });
    },
  };
}
