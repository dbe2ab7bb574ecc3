import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigSchema, type Config } from './schema.js';
import { MAX_DOCUMENT_DEPTH, nestsDeeperThan, tooDeepMessage } from '../protocol/json-depth.js';

export const ENV_PREFIX = 'PARLEY_';
/** Names the config file; it is not itself a setting. */
export const CONFIG_FILE_ENV = 'PARLEY_CONFIG';

/** Every setting's name (file key), read from the schema. */
export const CONFIG_KEYS: readonly string[] = Object.freeze(Object.keys(ConfigSchema.shape));

/** The environment variable of a setting: `port` ← `PARLEY_PORT`. */
export const envVarOf = (key: string): string => `${ENV_PREFIX}${key.toUpperCase()}`;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** A JSON config file; defaults to $PARLEY_CONFIG. */
  readonly file?: string | undefined;
  /** Settings that win over file and environment (used by tests and the CLI). */
  readonly overrides?: Record<string, unknown>;
}

/** Loads file, then environment, then overrides; validates once and freezes the result. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env[CONFIG_FILE_ENV];
  const sources = new Map<string, string>();
  const raw: Record<string, unknown> = {};

  if (file !== undefined && file !== '') {
    for (const [key, value] of Object.entries(readConfigFile(file))) {
      raw[key] = value;
      sources.set(key, `${key} in ${file}`);
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || name === CONFIG_FILE_ENV) continue;
    if (value === undefined || value === '') continue;
    const key = name.slice(ENV_PREFIX.length).toLowerCase();
    raw[key] = value;
    sources.set(key, name);
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    raw[key] = value;
    sources.set(key, key);
  }
  return parseConfig(raw, (key) => sources.get(key) ?? key);
}

/** Validates raw settings; `describe` names where a key came from in error messages. */
export function parseConfig(
  raw: Record<string, unknown>,
  describe: (key: string) => string = (key) => key,
): Config {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((k) => `${describe(k)}: unknown setting`).join('\n  ');
      }
      const key = String(issue.path[0] ?? '');
      return `${describe(key)}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const config = { ...result.data, data_dir: resolve(result.data.data_dir) };
  return Object.freeze(config);
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
  if (nestsDeeperThan(text, MAX_DOCUMENT_DEPTH)) {
    throw new ConfigError(`Config file ${file}: ${tooDeepMessage('the JSON', MAX_DOCUMENT_DEPTH)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`Config file ${file} must hold a JSON object of settings.`);
  }
  return parsed as Record<string, unknown>;
}
