import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/**
 * Makes sure a Debian package is installed, installing it with apt-get when it is missing, so
 * that the tests run on a fresh machine. `probe` says whether it is there already.
 */
export function ensureDebianPackage(pkg: string, probe: () => boolean): void {
  if (probe()) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`${pkg} is not installed and installing it needs root: apt-get install ${pkg}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore' });
  if (update.status !== 0) throw new Error(`apt-get update failed (exit ${update.status})`);
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], {
    env,
    stdio: 'ignore',
  });
  if (!probe()) throw new Error(`apt-get installed ${pkg} but its programs are still missing`);
}

/** The bin directory of the newest PostgreSQL in /usr/lib/postgresql, if any. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(`${root}/${v}/bin/postgres`))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : `${root}/${versions[0]}/bin`;
}

/** Debian's own Python, not whichever `python3` comes first on PATH. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** Whether Debian's Python can import `module`. */
function pythonHas(module: string): boolean {
  if (!existsSync(DEBIAN_PYTHON)) return false;
  return spawnSync(DEBIAN_PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

/** Whether Debian's Python finds libopus through ctypes. */
function pythonFindsOpus(): boolean {
  if (!existsSync(DEBIAN_PYTHON)) return false;
  const probe = 'import ctypes.util,sys; sys.exit(0 if ctypes.util.find_library("opus") else 1)';
  return spawnSync(DEBIAN_PYTHON, ['-c', probe], { stdio: 'ignore' }).status === 0;
}

/**
 * The Python peers need Debian's packages, installed here when missing: grpcio and
 * grpcio-tools for the extension and AI services (test/fixtures/python-ext, python-ai), and
 * websockets with libopus for the device client (test/fixtures/python-device).
 */
export function ensurePythonPeers(): void {
  ensureDebianPackage('python3-grpcio', () => pythonHas('grpc'));
  ensureDebianPackage('python3-grpc-tools', () => pythonHas('grpc_tools.protoc'));
  ensureDebianPackage('python3-websockets', () => pythonHas('websockets'));
  ensureDebianPackage('libopus0', pythonFindsOpus);
}

/** Debian's Chromium, which the web client's browser tests drive (playwright-core 1.64.1). */
export const CHROMIUM = '/usr/bin/chromium';

/** Installs Debian's `chromium` when missing, for the browser tests of packages/web. */
export function ensureChromium(): void {
  ensureDebianPackage('chromium', () => existsSync(CHROMIUM));
}
