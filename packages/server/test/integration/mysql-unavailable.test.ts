import { describe, expect, it } from 'vitest';
import { openMysqlStore } from '../../src/adapters/store/mysql.js';
import { freePort } from '../support/ports.js';

describe('the MariaDB/MySQL store when the server does not answer', () => {
  it('fails with UNAVAILABLE (clients retry), not INTERNAL', async () => {
    // A free port: nothing listens there, so every connection is refused.
    const store = openMysqlStore({ url: `mysql://root@127.0.0.1:${await freePort()}/parley` });
    try {
      await expect(store.users.findById('u1')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      await store.close();
    }
  });
});
