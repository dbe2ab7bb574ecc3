import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/adapters/store/sqlite.js';
import { describeStoreContract } from './store.contract.js';

describeStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-store-'));
  return {
    open: async () => openSqliteStore(dir),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
