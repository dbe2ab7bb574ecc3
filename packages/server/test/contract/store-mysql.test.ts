import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { describe, expect, inject, it } from 'vitest';
import { openMysqlStore } from '../../src/adapters/store/mysql.js';
import { createMysqlDatabase, dropMysqlDatabase } from '../support/mariadb-server.js';
import { describeBridgeAccountsContract } from './bridge-accounts.contract.js';
import { describeBridgeGrantsContract } from './bridge-grants.contract.js';
import { describeBridgeStoreContract } from './bridge-store.contract.js';
import { describeDeviceStoreContract } from './device-store.contract.js';
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
describeDeviceStoreContract('mysql', harness);
describeBridgeStoreContract('mysql', harness);
describeBridgeGrantsContract('mysql', harness);
describeBridgeAccountsContract('mysql', harness);

describe('MySQL schema', () => {
  it('makes InnoDB utf8mb4_bin tables with their foreign keys on a latin1 database', async () => {
    const url = await createMysqlDatabase(inject('mariadbUrl'));
    const store = openMysqlStore({ url });
    const name = new URL(url).pathname.slice(1);
    const connection = await createConnection({ uri: url });
    try {
      await store.migrate();
      const [tables] = await connection.query<RowDataPacket[]>(
        `select table_name as t, engine as e, table_collation as c from information_schema.tables
          where table_schema = ? and table_name not like 'kysely%'`,
        [name],
      );
      expect(tables.length).toBe(22);
      for (const table of tables)
        expect([table.t, table.e, table.c]).toEqual([table.t, 'InnoDB', 'utf8mb4_bin']);
      const [keys] = await connection.query<RowDataPacket[]>(
        `select count(*) as n from information_schema.referential_constraints
          where constraint_schema = ?`,
        [name],
      );
      expect(keys[0]?.n).toBe(19);
      const [database] = await connection.query<RowDataPacket[]>(
        'select default_character_set_name as cs from information_schema.schemata where schema_name = ?',
        [name],
      );
      expect(database[0]?.cs).toBe('latin1');
    } finally {
      await connection.end();
      await store.close();
      await dropMysqlDatabase(url);
    }
  });
});
