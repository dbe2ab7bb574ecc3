import { describe, expect, it } from 'vitest';
import { ejabberdConfig, erlArgs, parseErlLibs, seedSql } from './ejabberd-config.js';

describe('the bench ejabberd config', () => {
  const config = ejabberdConfig({ c2sPort: 15222, database: '/dev/shm/x y/ejabberd.db' });

  it('listens for clients on loopback only, without TLS or a shaper', () => {
    expect(config).toContain('port: 15222\n    ip: "127.0.0.1"\n    module: ejabberd_c2s');
    expect(config.match(/^\s+ip:/gm)).toHaveLength(1);
    expect(config).not.toMatch(/"::"|0\.0\.0\.0/);
    expect(config).toContain('starttls: false');
    expect(config).toContain('shaper: none');
    expect(config).toContain('c2s_shaper: none');
    expect(config).not.toMatch(/ejabberd_http|ejabberd_s2s_in|mod_mqtt|ejabberd_stun/);
  });

  it('keeps everything in one SQLite file and stores plain passwords', () => {
    expect(config).toContain('sql_type: sqlite\nsql_database: "/dev/shm/x y/ejabberd.db"');
    expect(config).toContain('default_db: sql');
    expect(config).toContain('auth_method: sql\nauth_password_format: plain');
    expect(config).toContain('new_sql_schema: false');
  });

  it('sizes its caches for every bench account', () => {
    expect(config).toContain('cache_size: 100000');
  });

  it('archives every message with mod_mam unless told not to', () => {
    expect(config).toContain('  mod_mam:\n    db_type: sql\n    default: always\n');
    const without = ejabberdConfig({ c2sPort: 1, database: 'd', mam: false });
    expect(without).not.toContain('mod_mam');
    expect(without).toContain('mod_stream_mgmt');
  });

  it('serves the given domain', () => {
    expect(config).toContain('hosts:\n  - "localhost"\n');
    expect(ejabberdConfig({ c2sPort: 1, database: 'd', domain: 'bench.test' })).toContain(
      '  - "bench.test"',
    );
  });
});

describe('the bench database', () => {
  it('loads the schema in WAL mode and seeds the accounts in one statement', () => {
    const sql = seedSql('CREATE TABLE users (username text PRIMARY KEY, password text);', 3);
    expect(sql.startsWith('PRAGMA journal_mode = WAL;\nCREATE TABLE users')).toBe(true);
    expect(sql).toContain('WHERE i < 2)');
    expect(sql).toContain("SELECT 'u' || i, 'p' || i FROM n;");
    expect(sql.trimEnd().endsWith('COMMIT;')).toBe(true);
  });

  it('seeds no account for zero, and refuses a bad count', () => {
    expect(seedSql('S;', 0)).not.toContain('INSERT');
    expect(() => seedSql('S;', -1)).toThrow();
    expect(() => seedSql('S;', 1.5)).toThrow();
  });
});

describe('the Erlang VM arguments', () => {
  it('start no distribution and no epmd, and put Mnesia in the spool dir', () => {
    const args = erlArgs('/tmp/spool dir');
    expect(args).not.toContain('-sname');
    expect(args).not.toContain('-name');
    expect(args.join(' ')).toContain('-start_epmd false');
    expect(args.join(' ')).toContain('-mnesia dir "/tmp/spool dir"');
    expect(args.join(' ')).toContain('+sbwt none');
    expect(args.slice(-3)).toEqual(['-s', 'ejabberd', '-noinput']);
  });

  it("reads ERL_LIBS from Debian's ejabberdctl", () => {
    const script =
      'EPMD="/usr/bin/epmd"\nERL_LIBS=\'/usr/lib/x86_64-linux-gnu\'\nexport ERL_LIBS\n';
    expect(parseErlLibs(script)).toBe('/usr/lib/x86_64-linux-gnu');
    expect(parseErlLibs('nothing here')).toBeUndefined();
  });
});
