import { freePort } from './ports.js';
import { CLI, run, type RunningProcess } from './process.js';
import type { TestStorage } from './test-server.js';

export const LISTENING = /Parley is listening on (http:\/\/[^"\s]+)/;

/** A Parley run from the built CLI (dist/) as its own process, so that a test can kill it. */
export interface CliServer {
  readonly url: string;
  /** Starts the process (again, after a kill: same port, same storage) and waits until it listens. */
  start(): Promise<RunningProcess>;
}

/**
 * Prepares a CLI server on `storage` and a free port, with cheap password hashing and DMs open
 * to anyone, like the in-process test server. Every process it starts is given to `onClose`,
 * which must SIGKILL it when the test ends.
 */
export async function cliServer(
  storage: TestStorage,
  onClose: (cleanup: () => void) => void,
): Promise<CliServer> {
  const port = await freePort();
  const env = {
    PARLEY_HOST: '127.0.0.1',
    PARLEY_PORT: String(port),
    PARLEY_DATA_DIR: storage.dataDir,
    PARLEY_ARGON2_MEMORY_KIB: '1024',
    PARLEY_ARGON2_ITERATIONS: '1',
    PARLEY_DM_POLICY: 'anyone',
    PARLEY_GRPC_PORT: '0',
    ...(storage.databaseUrl !== undefined && { PARLEY_DATABASE_URL: storage.databaseUrl }),
  };
  return {
    url: `http://127.0.0.1:${port}`,
    async start() {
      const proc = run('node', [CLI, 'start'], env);
      onClose(() => proc.signal('SIGKILL'));
      await proc.waitFor(LISTENING);
      return proc;
    },
  };
}
