/** Timed background jobs, as lifecycle parts. */
import type { Logger } from 'pino';

/** A job run every `intervalMs`, never twice at once, stopped with the node. */
export function periodic(
  name: string,
  intervalMs: number,
  job: () => Promise<void>,
  logger: Logger,
) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = () => {
    if (running !== undefined) return;
    running = job()
      .catch((err: unknown) => logger.warn({ err }, `${name} failed`))
      .finally(() => {
        running = undefined;
      });
  };
  return {
    name,
    start: async () => {
      timer = setInterval(run, intervalMs).unref();
    },
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
