import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { openPostgresStore } from '../../src/adapters/store/postgres.js';
import { freePort } from '../support/ports.js';
import { createDatabase } from '../support/postgres-server.js';

describe('the PostgreSQL store when the server ends its connections', () => {
  it('answers UNAVAILABLE while no server listens', async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`;
    const store = openPostgresStore({ url, poolSize: 1 });
    try {
      await expect(store.users.findById('nobody')).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        message: 'The database does not answer; try again shortly.',
        cause: { code: 'ECONNREFUSED' },
      });
      await expect(store.ping()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      await store.close();
    }
  });

  it('reports a connection lost inside a transaction, and goes on with a new one', async () => {
    const url = await createDatabase(inject('postgresUrl'));
    const errors: Error[] = [];
    const store = openPostgresStore({ url, poolSize: 2, onIdleError: (err) => errors.push(err) });
    const admin = new pg.Client({ connectionString: inject('postgresUrl') });
    await admin.connect();
    try {
      await store.migrate();
      // The transaction holds its connection between two statements when the server ends it
      // (as a restart does): unheard, the client's 'error' event would end the process.
      const transaction = store.transaction(async (repos) => {
        await repos.users.findById('nobody');
        await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1',
          [new URL(url).pathname.slice(1)],
        );
        await delay(200);
        await repos.users.findById('nobody');
      });
      // An outage, which clients retry, not an internal error.
      await expect(transaction).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(errors.length).toBeGreaterThan(0);
      // The pool dropped the broken connection: the next call gets a new one.
      await expect(store.users.findById('nobody')).resolves.toBeUndefined();
    } finally {
      await admin.end();
      await store.close();
    }
  });
});
