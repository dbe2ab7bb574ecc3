import type { Kysely, Selectable } from 'kysely';
import type { DeviceRecord, DeviceRepository, DeviceSeen } from '../../ports/device-store.js';
import { insertIfAbsent, type EngineSql } from './engine-sql.js';
import type { DevicesTable } from './device-schema.js';
import type { Database } from './schema.js';

const toDevice = (row: Selectable<DevicesTable>): DeviceRecord => ({
  deviceId: row.device_id,
  ownerId: row.owner_id,
  clientId: row.client_id,
  bindCode: row.bind_code,
  bindCodeExpiresAt: row.bind_code_expires_at === null ? null : Number(row.bind_code_expires_at),
  boundAt: row.bound_at === null ? null : Number(row.bound_at),
  systemInfo: row.system_info,
  createdAt: Number(row.created_at),
  lastSeenAt: Number(row.last_seen_at),
});

export class KyselyDeviceRepository implements DeviceRepository {
  readonly #db: Kysely<Database>;
  readonly #engine: EngineSql;

  constructor(db: Kysely<Database>, engine: EngineSql) {
    this.#db = db;
    this.#engine = engine;
  }

  async seen(device: DeviceSeen): Promise<DeviceRecord> {
    const inserted = await insertIfAbsent(
      this.#engine,
      this.#db.insertInto('devices').values({
        device_id: device.deviceId,
        owner_id: null,
        client_id: device.clientId,
        bind_code: null,
        bind_code_expires_at: null,
        bound_at: null,
        system_info: device.systemInfo ?? '{}',
        created_at: device.at,
        last_seen_at: device.at,
      }),
      (oc) => oc.column('device_id').doNothing(),
    );
    if (!inserted) {
      await this.#db
        .updateTable('devices')
        .set({
          last_seen_at: device.at,
          ...(device.systemInfo !== undefined && { system_info: device.systemInfo }),
        })
        .where('device_id', '=', device.deviceId)
        .execute();
    }
    return (await this.findById(device.deviceId))!;
  }

  async findById(deviceId: string): Promise<DeviceRecord | undefined> {
    const row = await this.#db
      .selectFrom('devices')
      .selectAll()
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
    return row === undefined ? undefined : toDevice(row);
  }

  async setBindCode(
    deviceId: string,
    code: string,
    expiresAt: number,
    clientId: string,
  ): Promise<boolean> {
    try {
      await this.#db
        .updateTable('devices')
        .set({ bind_code: code, bind_code_expires_at: expiresAt, client_id: clientId })
        .where('device_id', '=', deviceId)
        .where('owner_id', 'is', null)
        .execute();
      return true;
    } catch (err) {
      if (this.#engine.isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async bindByCode(code: string, userId: string, at: number): Promise<DeviceRecord | undefined> {
    const row = await this.#db
      .selectFrom('devices')
      .select('device_id')
      .where('bind_code', '=', code)
      .where('owner_id', 'is', null)
      .where('bind_code_expires_at', '>', at)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    // Conditional on the code still being there: one of any number of racing binders wins.
    const result = await this.#db
      .updateTable('devices')
      .set({ owner_id: userId, bound_at: at, bind_code: null, bind_code_expires_at: null })
      .where('device_id', '=', row.device_id)
      .where('bind_code', '=', code)
      .where('owner_id', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    return this.findById(row.device_id);
  }

  async claim(
    deviceId: string,
    clientId: string,
    userId: string,
    at: number,
  ): Promise<DeviceRecord> {
    await this.seen({ deviceId, clientId, at });
    await this.#db
      .updateTable('devices')
      .set({
        owner_id: userId,
        client_id: clientId,
        bound_at: at,
        bind_code: null,
        bind_code_expires_at: null,
      })
      .where('device_id', '=', deviceId)
      .where('owner_id', 'is', null)
      .execute();
    return (await this.findById(deviceId))!;
  }

  async listForOwner(
    ownerId: string,
    after: string | undefined,
    limit: number,
  ): Promise<DeviceRecord[]> {
    let query = this.#db.selectFrom('devices').selectAll().where('owner_id', '=', ownerId);
    if (after !== undefined) query = query.where('device_id', '>', after);
    const rows = await query.orderBy('device_id').limit(limit).execute();
    return rows.map(toDevice);
  }
}
