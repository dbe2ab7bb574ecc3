import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { describeBridgeAccountsContract } from './bridge-accounts.contract.js';
import { describeBridgeGrantsContract } from './bridge-grants.contract.js';
import { describeBridgeStoreContract } from './bridge-store.contract.js';
import { describeDeviceStoreContract } from './device-store.contract.js';
import { describeGroupStoreContract } from './group-store.contract.js';
import { describeMessagingStoreContract } from './messaging-store.contract.js';
import { describeSocialStoreContract } from './social-store.contract.js';
import { describeStoreContract, type StoreHarness } from './store.contract.js';

async function harness(): Promise<StoreHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-store-'));
  return {
    open: async () => openSqliteStore(dir),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

describeStoreContract('sqlite', harness);
describeMessagingStoreContract('sqlite', harness);
describeSocialStoreContract('sqlite', harness);
describeGroupStoreContract('sqlite', harness);
describeDeviceStoreContract('sqlite', harness);
describeBridgeStoreContract('sqlite', harness);
describeBridgeGrantsContract('sqlite', harness);
describeBridgeAccountsContract('sqlite', harness);
