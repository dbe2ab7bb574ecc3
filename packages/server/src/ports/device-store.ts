/**
 * The device repositories of the Store (seed 002): devices and their owners, and the three
 * tables of the seed — device_sessions, message_logs, connection_events.
 *
 * Guarantees (test/contract/device-store.contract.ts):
 * - `bindByCode` binds for exactly one of any number of concurrent callers; the code is spent.
 * - `journal` writes a whole batch in one transaction: sessions opened first, so that logs
 *   and events that name them never fail their foreign key.
 * - Lists are pages in a stable order with an opaque cursor (the last id of the page).
 */
import type { DeviceSessionStatus } from '../domain/device.js';

export interface DeviceRecord {
  readonly deviceId: string;
  /** The user it is bound to; null until bound. */
  readonly ownerId: string | null;
  readonly clientId: string;
  readonly bindCode: string | null;
  readonly bindCodeExpiresAt: number | null;
  readonly boundAt: number | null;
  /** What the device said about itself at the OTA endpoint (JSON text). */
  readonly systemInfo: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
}

export interface DeviceSeen {
  readonly deviceId: string;
  readonly clientId: string;
  readonly systemInfo?: string;
  readonly at: number;
}

export interface DeviceRepository {
  /** Records that a device was seen (created unbound when new); returns the record. */
  seen(device: DeviceSeen): Promise<DeviceRecord>;
  findById(deviceId: string): Promise<DeviceRecord | undefined>;
  /**
   * Gives an unbound device a bind code, shown to the client `clientId` (recorded with it, so
   * that binding the code binds that client); false when another device holds that code.
   */
  setBindCode(
    deviceId: string,
    code: string,
    expiresAt: number,
    clientId: string,
  ): Promise<boolean>;
  /** Binds the device whose unexpired code this is to the user; undefined when none. */
  bindByCode(code: string, userId: string, at: number): Promise<DeviceRecord | undefined>;
  /**
   * Binds a device to the user who connected it with their own token, if it has no owner; the
   * connecting client becomes the device's client.
   */
  claim(deviceId: string, clientId: string, userId: string, at: number): Promise<DeviceRecord>;
  /** A user's devices by device id; `after` is the last device id of the previous page. */
  listForOwner(ownerId: string, after: string | undefined, limit: number): Promise<DeviceRecord[]>;
}

export interface DeviceSessionRecord {
  readonly sessionId: string;
  readonly deviceId: string;
  readonly clientId: string;
  readonly userId: string;
  readonly connectedAt: number;
  readonly lastActiveAt: number;
  readonly status: DeviceSessionStatus;
  /** JSON text: protocol version, audio params, features. */
  readonly metadata: string;
}

export type LogDirection = 'inbound' | 'outbound';

export interface MessageLogRecord {
  /** Sortable (ULID): pages follow it. */
  readonly id: string;
  readonly sessionId: string;
  readonly messageType: string;
  readonly content: string;
  readonly direction: LogDirection;
  readonly createdAt: number;
}

export interface ConnectionEventRecord {
  /** Sortable (ULID): pages follow it. */
  readonly id: string;
  readonly sessionId: string;
  readonly eventType: string;
  /** JSON text. */
  readonly eventData: string;
  readonly createdAt: number;
}

/** What the device gateway gathered since its last write, written at once. */
export interface DeviceJournalBatch {
  readonly opened: readonly DeviceSessionRecord[];
  readonly logs: readonly MessageLogRecord[];
  readonly events: readonly ConnectionEventRecord[];
  /** last_active_at per session (one write per session and batch, however many frames). */
  readonly touched: readonly { readonly sessionId: string; readonly at: number }[];
  readonly statuses: readonly {
    readonly sessionId: string;
    readonly status: DeviceSessionStatus;
    readonly at: number;
  }[];
}

export interface DeviceSessionRepository {
  journal(batch: DeviceJournalBatch): Promise<void>;
  findById(sessionId: string): Promise<DeviceSessionRecord | undefined>;
  /** A device's sessions, newest first; `before` is the last session id of the previous page. */
  listForDevice(
    deviceId: string,
    before: string | undefined,
    limit: number,
  ): Promise<DeviceSessionRecord[]>;
  /** A session's log in order; `after` is the last id of the previous page. */
  listLogs(
    sessionId: string,
    after: string | undefined,
    limit: number,
  ): Promise<MessageLogRecord[]>;
  listEvents(
    sessionId: string,
    after: string | undefined,
    limit: number,
  ): Promise<ConnectionEventRecord[]>;
}
