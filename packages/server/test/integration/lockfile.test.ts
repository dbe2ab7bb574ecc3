// `npm ci` refuses a lockfile that lacks any package the manifests could install, including
// other platforms' optional binaries (buf, rollup, esbuild). `npm install` on one platform can
// leave them out; this catches that before a fresh clone does.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  readonly optionalDependencies?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly link?: boolean;
}

const lock = JSON.parse(
  readFileSync(new URL('../../../../package-lock.json', import.meta.url), 'utf8'),
) as { packages: Record<string, LockEntry> };

/** Where npm would find `name` for the package at `from`: nested first, then each parent. */
function resolves(from: string, name: string): boolean {
  let dir = from;
  for (;;) {
    const prefix = dir === '' ? '' : `${dir}/`;
    if (lock.packages[`${prefix}node_modules/${name}`] !== undefined) return true;
    if (dir === '') return false;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up === -1 ? '' : dir.slice(0, up);
  }
}

describe('package-lock.json', () => {
  it('holds every optional dependency of every locked package, for every platform', () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        if (!resolves(path, name)) missing.push(`${path || '(root)'} → ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
