import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';

const configFile = (content: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'parley-config-')), 'parley.json');
  writeFileSync(file, content);
  return file;
};

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      grpc_host: '127.0.0.1',
      grpc_port: 9090,
      data_dir: resolve('./data'),
      log_level: 'info',
      body_limit: 1024 * 1024,
      login_failure_limit: 10,
      signup_limit: 600,
      rate_limit_window: 60,
    });
    expect(config.database_url).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads PARLEY_ variables, converting types', () => {
    const config = loadConfig({
      env: {
        PARLEY_PORT: '9090',
        PARLEY_GRPC_PORT: '0',
        PARLEY_GRPC_HOST: '10.0.0.5',
        PARLEY_TRUST_PROXY: 'false',
        PARLEY_DATABASE_URL: 'postgres://u@h/db',
        PARLEY_LOG_LEVEL: 'debug',
        OTHER: 'ignored',
      },
    });
    expect(config).toMatchObject({
      port: 9090,
      grpc_port: 0,
      grpc_host: '10.0.0.5',
      trust_proxy: false,
      database_url: 'postgres://u@h/db',
      log_level: 'debug',
    });
  });

  it('lets the environment win over the file', () => {
    const file = configFile(JSON.stringify({ port: 7000, host: '127.0.0.1' }));
    const config = loadConfig({ env: { PARLEY_CONFIG: file, PARLEY_PORT: '7001' } });
    expect(config).toMatchObject({ port: 7001, host: '127.0.0.1' });
  });

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ env: { PARLEY_PORT: '99999' } })).toThrow(/PARLEY_PORT: /);
    expect(() => loadConfig({ env: { PARLEY_LOG_LEVEL: 'loud' } })).toThrow(/PARLEY_LOG_LEVEL: /);
    expect(() => loadConfig({ env: { PARLEY_DATABASE_URL: 'redis://x' } })).toThrow(
      /PARLEY_DATABASE_URL: must be a postgres/,
    );
    for (const url of ['mysql://u@h/db', 'mariadb://u@h/db', 'postgresql://u@h/db']) {
      expect(loadConfig({ env: { PARLEY_DATABASE_URL: url } }).database_url).toBe(url);
    }
    expect(() => loadConfig({ env: { PARLEY_TRUST_PROXY: 'maybe' } })).toThrow(ConfigError);
  });

  it('refuses unknown keys in the file and in the environment', () => {
    const file = configFile(JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ env: {}, file })).toThrow(`prot in ${file}: unknown setting`);
    expect(() => loadConfig({ env: { PARLEY_PROT: '1' } })).toThrow('PARLEY_PROT: unknown setting');
  });

  it('refuses a file nested deeper than any setting needs, with a config error', () => {
    const deep = '{"ext":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
    expect(() => loadConfig({ env: {}, file: configFile(deep) })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, file: configFile(deep) })).toThrow(/nested more than 64/);
  });

  it('refuses a file that is not a JSON object', () => {
    expect(() => loadConfig({ env: {}, file: configFile('{nope') })).toThrow(/not valid JSON/);
    expect(() => loadConfig({ env: {}, file: configFile('[1]') })).toThrow(/JSON object/);
    expect(() => loadConfig({ env: {}, file: '/no/such/file.json' })).toThrow(/Cannot read/);
  });
});
