import { inject } from 'vitest';
import { openMysqlStore } from '../../src/adapters/store/mysql.js';
import { createMysqlDatabase, dropMysqlDatabase } from '../support/mariadb-server.js';
import { describeGroupStoreContract } from './group-store.contract.js';
import { describeMessagingStoreContract } from './messaging-store.contract.js';
import { describeSocialStoreContract } from './social-store.contract.js';
import { describeStoreContract, type StoreHarness } from './store.contract.js';

async function harness(): Promise<StoreHarness> {
  const url = await createMysqlDatabase(inject('mariadbUrl'));
  return {
    open: async () => openMysqlStore({ url, poolSize: 10 }),
    dispose: () => dropMysqlDatabase(url),
  };
}

describeStoreContract('mysql', harness);
describeMessagingStoreContract('mysql', harness);
describeSocialStoreContract('mysql', harness);
describeGroupStoreContract('mysql', harness);
