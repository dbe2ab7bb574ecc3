import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { CONFIG_DOCS } from '../../src/config/docs.js';
import type { Rng } from './prng.js';
import type { Tally } from './tally.js';
import { deepJson, excessiveDepth, randomJson, randomString } from './values.js';

const KEYS = Object.keys(CONFIG_DOCS);

function value(rng: Rng): string {
  return rng.pick([
    () => String(rng.int(-10, 100_000_000)),
    () =>
      rng.pick([
        '0',
        '-1',
        '1e400',
        '0x10',
        '1.5',
        'NaN',
        'Infinity',
        ' 8080 ',
        '99999999999999999999',
      ]),
    () => rng.pick(['true', 'false', 'yes', 'TRUE', 'on', 'null']),
    () =>
      rng.pick([
        'postgres://',
        'postgres://u:p@127.0.0.1:1/x',
        'http://[::1',
        'nats://x',
        ':::',
        'file:///etc',
      ]),
    () => randomString(rng, 80),
    () => JSON.stringify(randomJson(rng)),
    () => '\u0000'.repeat(rng.int(1, 4)),
  ])();
}

/** A config file's text: broken, deep, or an object with random keys and values. */
function fileText(rng: Rng): string {
  const mode = rng.int(0, 3);
  if (mode === 0) return deepJson(rng, excessiveDepth(rng));
  if (mode === 1) return randomString(rng, 200);
  const object: Record<string, unknown> = {};
  for (let i = rng.int(0, 5); i > 0; i -= 1) {
    object[rng.chance(0.8) ? rng.pick(KEYS) : randomString(rng, 20)] = rng.chance(0.5)
      ? value(rng)
      : randomJson(rng);
  }
  return mode === 2 ? JSON.stringify(object) : JSON.stringify([object]);
}

export interface ConfigCase {
  readonly env: Record<string, string>;
}

/** Random `PARLEY_*` variables (and sometimes a config file named by PARLEY_CONFIG). */
export function configCase(rng: Rng, scratch: string, index: number): ConfigCase {
  const env: Record<string, string> = {};
  for (let i = rng.int(1, 5); i > 0; i -= 1) {
    const key = rng.chance(0.9)
      ? rng.pick(KEYS)
      : randomString(rng, 16).replace(/[^A-Za-z0-9_]/g, '_');
    env[`PARLEY_${key.toUpperCase()}`] = value(rng);
  }
  if (rng.chance(0.1)) {
    const file = join(scratch, `c${index}.json`);
    if (rng.chance(0.8)) writeFileSync(file, fileText(rng));
    env.PARLEY_CONFIG = file;
  }
  return { env };
}

export function configScratch(): string {
  return mkdtempSync(join(tmpdir(), 'parley-fuzz-config-'));
}

/**
 * Loads the configuration and checks the invariant: a config, or a ConfigError whose message
 * is clear English naming the setting, never another exception or a stack trace.
 */
export function runConfigCase(c: ConfigCase, tally: Tally): void {
  try {
    loadConfig({ env: c.env });
    tally.answer('accepted');
  } catch (err) {
    if (!(err instanceof ConfigError)) {
      tally.fail(
        'not a ConfigError',
        `${(err as Error).name}: ${(err as Error).message} ← ${JSON.stringify(c.env)}`,
      );
      return;
    }
    tally.answer('ConfigError');
    const message = err.message;
    if (message.length < 10 || /\n\s+at /.test(message) || message.length > 20_000) {
      tally.fail('unclear message', `${message.slice(0, 300)} ← ${JSON.stringify(c.env)}`);
    }
  }
}
