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

/**
 * Runs `job` `delayMs` after the first `schedule()` since its last run, and again after a run
 * that left work behind (`done()` false: a failed write is retried that way). Unlike
 * `periodic`, no timer runs while there is nothing to do.
 */
export function runSoon(
  delayMs: number,
  job: () => Promise<void>,
  done: () => boolean,
  logger: Logger,
): { schedule: () => void; stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let stopped = false;
  const schedule = () => {
    if (timer !== undefined || running || stopped) return;
    timer = setTimeout(run, delayMs).unref();
  };
  const run = () => {
    timer = undefined;
    running = true;
    job()
      .catch((err: unknown) => logger.warn({ err }, 'a scheduled job failed'))
      .finally(() => {
        running = false;
        if (!done()) schedule();
      });
  };
  return {
    schedule,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
