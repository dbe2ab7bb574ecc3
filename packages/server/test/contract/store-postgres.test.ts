import { inject } from 'vitest';
import { openPostgresStore } from '../../src/adapters/store/postgres.js';
import { createDatabase } from '../support/postgres-server.js';
import { describeStoreContract } from './store.contract.js';

describeStoreContract('postgres', async () => {
  const url = await createDatabase(inject('postgresUrl'));
  return {
    open: async () => openPostgresStore({ url, poolSize: 10 }),
    dispose: async () => {},
  };
});
