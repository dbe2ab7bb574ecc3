/**
 * What the harness writes for a bench ejabberd (pure: no files, no processes): its config,
 * the SQL that creates and seeds its SQLite database, and the Erlang VM's arguments.
 */
import { PASSWORD_PREFIX, USER_PREFIX, XMPP_DOMAIN } from './xmpp.js';

export interface EjabberdConfigOptions {
  /** The client (c2s) port, on 127.0.0.1. */
  readonly c2sPort: number;
  /** The SQLite file: accounts, rosters, the message archive (MAM), offline messages. */
  readonly database: string;
  readonly domain?: string;
  readonly logLevel?: 'critical' | 'error' | 'warning' | 'info' | 'debug';
  /** mod_mam archiving every message (default); false only to see what archiving costs. */
  readonly mam?: boolean;
}

/** YAML strings: a JSON string is a valid double-quoted YAML scalar. */
const q = (s: string) => JSON.stringify(s);

/**
 * ejabberd.yml for the bench. One listener, c2s on loopback, no TLS (loopback only) and
 * SASL PLAIN against plain stored passwords (the cheapest authentication ejabberd has, like
 * Parley's bearer token); no shaper or rate limiter; everything stored in one SQLite file,
 * and mod_mam archiving every message (`default: always`), as Parley stores every message.
 * Modules: those of Debian's default config that act on a one-to-one message or a session
 * (roster, privacy, blocking, carbons, client state, offline, stream management, MAM, caps,
 * disco, ping, last); left out are listeners this bench does not use (BOSH, HTTP API, MQTT,
 * STUN), services (MUC, pubsub, vCard, push) and the limiters (fail2ban, pres_counter).
 * Caches (accounts, rosters, privacy lists) hold 100,000 entries rather than 1,000, so that
 * 10,000 sessions do not churn them (ejabberd's own log advises raising them then).
 */
export function ejabberdConfig(o: EjabberdConfigOptions): string {
  const domain = o.domain ?? XMPP_DOMAIN;
  return `# Written by Parley's benchmark harness (bench/src/peer/ejabberd-config.ts).
hosts:
  - ${q(domain)}
loglevel: ${o.logLevel ?? 'warning'}
log_rotate_count: 0
hide_sensitive_log_data: true
cache_size: 100000
certfiles: []
new_sql_schema: false
default_db: sql
sql_type: sqlite
sql_database: ${q(o.database)}
auth_method: sql
auth_password_format: plain
listen:
  -
    port: ${o.c2sPort}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    backlog: 1024
    max_stanza_size: 262144
    shaper: none
    access: c2s
    starttls: false
acl:
  local:
    user_regexp: ""
access_rules:
  local:
    allow: local
  c2s:
    allow: all
shaper_rules:
  max_user_sessions: 10
  max_user_offline_messages: 100
  c2s_shaper: none
modules:
  mod_blocking: {}
  mod_caps: {}
  mod_carboncopy: {}
  mod_client_state: {}
  mod_disco: {}
  mod_last: {}
${
  o.mam === false
    ? ''
    : `  mod_mam:
    db_type: sql
    default: always
`
}  mod_offline:
    access_max_user_messages: max_user_offline_messages
  mod_ping: {}
  mod_privacy: {}
  mod_roster:
    versioning: true
  mod_stream_mgmt:
    resend_on_timeout: if_offline
`;
}

/**
 * SQL for sqlite3's command line: ejabberd's own schema (the file it would load itself into
 * an empty database), WAL journaling as Parley's store uses, and `users` bench accounts
 * (u0/p0, u1/p1, …) in one statement: registration is not what is measured.
 */
export function seedSql(schema: string, users: number): string {
  if (!Number.isInteger(users) || users < 0) throw new Error(`bad user count: ${users}`);
  const seed =
    users === 0
      ? ''
      : `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${users - 1})\n` +
        `INSERT INTO users (username, password)\n` +
        `SELECT '${USER_PREFIX}' || i, '${PASSWORD_PREFIX}' || i FROM n;\n`;
  return `PRAGMA journal_mode = WAL;\n${schema}\nBEGIN;\n${seed}COMMIT;\n`;
}

/**
 * The Erlang VM's arguments, as ejabberdctl's `foreground` builds them, minus distribution,
 * plus no scheduler busy-waiting: on two cores shared with the load process, spinning
 * schedulers only burn CPU that would be counted against ejabberd (about 10% of its CPU
 * per message at 1,000 msgs/s here), so they are off, in ejabberd's favour.
 */
export function erlArgs(spoolDir: string): string[] {
  return [
    // No node name: the VM starts no distribution listener and no epmd.
    '-start_epmd',
    'false',
    '+sbwt',
    'none',
    '+sbwtdcpu',
    'none',
    '+sbwtdio',
    'none',
    '+P',
    '250000',
    '-env',
    'ERL_CRASH_DUMP_BYTES',
    '0',
    '-mnesia',
    'dir',
    q(spoolDir),
    '-s',
    'ejabberd',
    '-noinput',
  ];
}

/** ERL_LIBS from Debian's ejabberdctl script (where the ejabberd application lives). */
export function parseErlLibs(ejabberdctl: string): string | undefined {
  return /^ERL_LIBS='([^']+)'/m.exec(ejabberdctl)?.[1];
}
