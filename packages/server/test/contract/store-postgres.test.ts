import { inject } from 'vitest';
import { openPostgresStore } from '../../src/adapters/store/postgres.js';
import { createDatabase } from '../support/postgres-server.js';
import { describeDeviceStoreContract } from './device-store.contract.js';
import { describeGroupStoreContract } from './group-store.contract.js';
import { describeMessagingStoreContract } from './messaging-store.contract.js';
import { describeSocialStoreContract } from './social-store.contract.js';
import { describeStoreContract, type StoreHarness } from './store.contract.js';

async function harness(): Promise<StoreHarness> {
  const url = await createDatabase(inject('postgresUrl'));
  return {
    open: async () => openPostgresStore({ url, poolSize: 10 }),
    dispose: async () => {},
  };
}

describeStoreContract('postgres', harness);
describeMessagingStoreContract('postgres', harness);
describeSocialStoreContract('postgres', harness);
describeGroupStoreContract('postgres', harness);
describeDeviceStoreContract('postgres', harness);
