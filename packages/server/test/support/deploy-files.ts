/** Reading deploy/docker-compose.yml and the Dockerfile as Docker would, for the deploy tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export const repoFile = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

export interface ComposeService {
  readonly image?: string;
  readonly build?: unknown;
  readonly command?: string[];
  readonly environment?: Record<string, string>;
  readonly depends_on?: Record<string, { condition: string }>;
  readonly healthcheck?: { test: string[] };
  readonly volumes?: string[];
  readonly ports?: string[];
  readonly restart?: string;
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, unknown>;
}

/**
 * Compose's variable interpolation: `$$`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`,
 * `${NAME:?error}` and `${NAME?error}` (the error forms throw when NAME is unset).
 */
export function interpolate(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g,
    (match, name: string | undefined, colon: string, op: string, arg: string) => {
      if (match === '$$') return '$';
      const value = vars[name!];
      const missing = value === undefined || (colon === ':' && value === '');
      if (!missing || op === undefined) return value ?? '';
      if (op === '?') throw new Error(`${name} must be set: ${arg}`);
      return arg;
    },
  );
}

/** The compose file with variables interpolated and YAML anchors and merge keys resolved. */
export function readCompose(path: string, vars: Readonly<Record<string, string>>): ComposeFile {
  return parse(interpolate(repoFile(path), vars), { merge: true }) as ComposeFile;
}

export interface DockerInstruction {
  readonly instruction: string;
  readonly args: string;
}

/** The Dockerfile's instructions, continuation lines joined and comments dropped. */
export function dockerInstructions(text: string): DockerInstruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [instruction = '', ...rest] = line.split(/\s+/);
      return { instruction: instruction.toUpperCase(), args: rest.join(' ') };
    });
}

/** The variables of the Dockerfile's final stage's `ENV k=v ...` instructions. */
export function dockerEnv(instructions: readonly DockerInstruction[]): Record<string, string> {
  const lastFrom = instructions.map((i) => i.instruction).lastIndexOf('FROM');
  const env: Record<string, string> = {};
  for (const { instruction, args } of instructions.slice(lastFrom)) {
    if (instruction !== 'ENV') continue;
    for (const pair of args.split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}
