#!/usr/bin/env node
/** The `parley` command: start the server, run migrations, or print help. */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/load.js';
import { CONFIG_DOCS } from './config/docs.js';
import type { Config } from './config/schema.js';
import { createParley, openStore } from './main.js';
import { workerTokenCommand } from './main/worker-token-command.js';
import { createLogger } from './observability/logger.js';
import { VERSION } from './version.js';

const USAGE = `parley ${VERSION}: the Parley instant-messaging server

Usage:
  parley start [--config FILE] [--role ROLES]
                                   serve HTTP on PARLEY_HOST:PARLEY_PORT (default 0.0.0.0:8080);
                                   ROLES: all (default) or a comma list of gateway, api, worker
  parley migrate [--config FILE]   apply pending database migrations, then exit
  parley worker-token create --name NAME [--config FILE]
                                   create a bridge worker token; prints it once
  parley worker-token list [--config FILE]
                                   list worker tokens (never the tokens themselves)
  parley worker-token revoke ID [--config FILE]
                                   revoke a worker token: its worker is refused from now on
  parley worker-token assign --platform PLATFORM --account ACCOUNT_ID --token-id ID
                             [--config FILE]
                                   move a bridged account to another live worker token: the
                                   previous owner is refused from its next push for it
  parley --help | --version

Settings come from a JSON config file (--config or PARLEY_CONFIG) and from environment
variables, which win. Each setting's variable is its name upper-cased with PARLEY_ in front:
${Object.entries(CONFIG_DOCS)
  .map(([key, doc]) => `  PARLEY_${key.toUpperCase().padEnd(22)} ${doc}`)
  .join('\n')}
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      role: { type: 'string', short: 'r' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      name: { type: 'string', short: 'n' },
      platform: { type: 'string' },
      account: { type: 'string' },
      'token-id': { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = positionals[0] ?? 'start';
  if (command === 'worker-token') {
    const config = loadConfig({ file: values.config });
    return workerTokenCommand(
      config,
      positionals.slice(1),
      {
        name: values.name,
        platform: values.platform,
        account: values.account,
        tokenId: values['token-id'],
      },
      USAGE,
    );
  }
  if (positionals.length > 1 || (command !== 'start' && command !== 'migrate')) {
    process.stderr.write(`Unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig({
    file: values.config,
    ...(values.role !== undefined && { overrides: { role: values.role } }),
  });
  return command === 'migrate' ? migrate(config) : start(config);
}

async function migrate(config: Config): Promise<number> {
  // Log lines (bridge data moved on SQLite, say) go to stderr: stdout is the command's answer.
  const store = openStore(config, createLogger(config.log_level, process.stderr));
  try {
    const { applied, current } = await store.migrate();
    process.stdout.write(
      applied.length === 0
        ? `The ${store.engine} database is up to date (${current.length} migrations).\n`
        : `Applied ${applied.join(', ')} to the ${store.engine} database.\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

async function start(config: Config): Promise<number> {
  const server = await createParley(config);
  process.on('unhandledRejection', (err) => {
    server.logger.error({ err }, 'unhandled promise rejection');
  });
  process.on('uncaughtException', (err) => {
    server.logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      server.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        server.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await server.start();
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (
      err instanceof ConfigError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`Parley could not start: ${describe(err)}\n`);
    process.exitCode = 1;
  },
);

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
