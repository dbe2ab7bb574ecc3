import { randomBytes, randomInt } from 'node:crypto';
import { DEVICE_ID_PATTERN, type DeviceIdentity } from '../../domain/device.js';
import { AppError, invalidArgument, notFound, unauthenticated } from '../../domain/errors.js';
import type {
  ConnectionEventRecord,
  DeviceRecord,
  DeviceRepository,
  DeviceSessionRecord,
  DeviceSessionRepository,
  MessageLogRecord,
} from '../../ports/device-store.js';
import type { DeviceTokens } from '../../ports/security.js';
import type { Clock } from '../../ports/system.js';
import type { AuthContext } from '../accounts/auth-context.js';
import { pageLimit, type Paged } from '../social/paging.js';

/** How long a bind code is good for. */
export const BIND_CODE_TTL_MS = 10 * 60_000;
const BIND_CODE_ATTEMPTS = 5;
const CURSOR = /^[A-Za-z0-9:_.-]{1,64}$/;

/** The OTA answer, before the transport puts it in the ecosystem's JSON shape. */
export interface OtaAnswer {
  readonly deviceToken: string | null;
  readonly activation: { readonly code: string; readonly challenge: string } | null;
}

export interface DeviceServiceDeps {
  readonly devices: DeviceRepository;
  readonly sessions: DeviceSessionRepository;
  readonly tokens: DeviceTokens;
  readonly clock: Clock;
  readonly authenticate: (accessToken: string) => Promise<AuthContext>;
}

/**
 * Devices of users (seed 002): who may connect a device, activation (bind codes, device
 * tokens) and the owner's views of their devices, sessions, logs and events.
 */
export class DeviceService {
  readonly #deps: DeviceServiceDeps;

  constructor(deps: DeviceServiceDeps) {
    this.#deps = deps;
  }

  /**
   * The identity a device connects with: its owner's access token (an unowned device becomes
   * theirs), or the device token issued for it. Anything else is UNAUTHENTICATED.
   */
  async authenticateDevice(input: {
    token: string;
    deviceId: string;
    clientId: string;
  }): Promise<DeviceIdentity> {
    const { token, deviceId, clientId } = input;
    if (!DEVICE_ID_PATTERN.test(deviceId)) throw unauthenticated('The Device-Id is malformed.');
    const named = this.#deps.tokens.verify(token);
    if (named !== undefined) {
      const device = await this.#deps.devices.findById(deviceId);
      if (
        named.deviceId !== deviceId ||
        device === undefined ||
        device.ownerId === null ||
        device.boundAt !== named.boundAt
      ) {
        throw unauthenticated('This device token is not valid for this device.');
      }
      return { deviceId, clientId, userId: device.ownerId };
    }
    const auth = await this.#deps.authenticate(token);
    if (auth.isGuest) throw unauthenticated('Guests cannot connect devices.');
    const device = await this.#deps.devices.claim(
      deviceId,
      clientId,
      auth.userId,
      this.#deps.clock.now(),
    );
    if (device.ownerId !== auth.userId)
      throw unauthenticated('This device belongs to another user.');
    return { deviceId, clientId, userId: auth.userId };
  }

  /**
   * What the OTA endpoint tells a device: its token once bound, else a bind code to show.
   * The token goes only to the client the device was bound as — the one that was shown the code
   * the owner typed (or that connected with the owner's token): naming a device id, which any
   * neighbour of a device can read off the air, is not enough. Another client of an unbound
   * device gets a code of its own, which retires the previous one.
   */
  async ota(input: { deviceId: string; clientId: string; systemInfo: string }): Promise<OtaAnswer> {
    if (!DEVICE_ID_PATTERN.test(input.deviceId)) {
      throw invalidArgument('Send the Device-Id header (the device MAC).', 'Device-Id');
    }
    const now = this.#deps.clock.now();
    const device = await this.#deps.devices.seen({ ...input, at: now });
    if (device.ownerId !== null && device.boundAt !== null) {
      const proven = input.clientId !== '' && input.clientId === device.clientId;
      return {
        deviceToken: proven ? this.#deps.tokens.issue(device.deviceId, device.boundAt) : null,
        activation: null,
      };
    }
    const code = await this.#bindCode(device, input.clientId, now);
    return { deviceToken: null, activation: { code, challenge: randomBytes(16).toString('hex') } };
  }

  /**
   * Whether the device is bound yet, as its client `clientId` (the firmware polls this after
   * showing its code); another client of the device is told it is not.
   */
  async isActivated(deviceId: string, clientId: string): Promise<boolean> {
    const device = await this.#deps.devices.findById(deviceId);
    return (
      device !== undefined &&
      device.ownerId !== null &&
      clientId !== '' &&
      device.clientId === clientId
    );
  }

  /** Binds the device showing `code` to the caller. */
  async bind(caller: AuthContext, code: string): Promise<DeviceRecord> {
    if (caller.isGuest) throw new AppError('PERMISSION_DENIED', 'Guests cannot bind devices.');
    const device = await this.#deps.devices.bindByCode(code, caller.userId, this.#deps.clock.now());
    if (device === undefined) throw notFound('No device shows this code (or it expired).');
    return device;
  }

  async listDevices(
    caller: AuthContext,
    cursor: string | undefined,
    limit?: number,
  ): Promise<Paged<DeviceRecord>> {
    const n = pageLimit(limit);
    const rows = await this.#deps.devices.listForOwner(caller.userId, checked(cursor), n + 1);
    return page(rows, n, (d) => d.deviceId);
  }

  async listSessions(
    caller: AuthContext,
    deviceId: string,
    cursor: string | undefined,
    limit?: number,
  ): Promise<Paged<DeviceSessionRecord>> {
    const device = await this.#deps.devices.findById(deviceId);
    // Another user's device is answered as no device: its existence is not the caller's business.
    if (device?.ownerId !== caller.userId) throw notFound('No such device.');
    const n = pageLimit(limit);
    const rows = await this.#deps.sessions.listForDevice(deviceId, checked(cursor), n + 1);
    return page(rows, n, (s) => s.sessionId);
  }

  async listLogs(
    caller: AuthContext,
    sessionId: string,
    cursor: string | undefined,
    limit?: number,
  ): Promise<Paged<MessageLogRecord>> {
    await this.#ownSession(caller, sessionId);
    const n = pageLimit(limit);
    const rows = await this.#deps.sessions.listLogs(sessionId, checked(cursor), n + 1);
    return page(rows, n, (r) => r.id);
  }

  async listEvents(
    caller: AuthContext,
    sessionId: string,
    cursor: string | undefined,
    limit?: number,
  ): Promise<Paged<ConnectionEventRecord>> {
    await this.#ownSession(caller, sessionId);
    const n = pageLimit(limit);
    const rows = await this.#deps.sessions.listEvents(sessionId, checked(cursor), n + 1);
    return page(rows, n, (r) => r.id);
  }

  async #ownSession(caller: AuthContext, sessionId: string): Promise<void> {
    const session = await this.#deps.sessions.findById(sessionId);
    if (session?.userId !== caller.userId) throw notFound('No such device session.');
  }

  async #bindCode(device: DeviceRecord, clientId: string, now: number): Promise<string> {
    if (
      device.bindCode !== null &&
      device.clientId === clientId &&
      (device.bindCodeExpiresAt ?? 0) > now + 60_000
    ) {
      return device.bindCode;
    }
    for (let attempt = 0; attempt < BIND_CODE_ATTEMPTS; attempt++) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      if (
        await this.#deps.devices.setBindCode(
          device.deviceId,
          code,
          now + BIND_CODE_TTL_MS,
          clientId,
        )
      ) {
        return code;
      }
    }
    throw new AppError('UNAVAILABLE', 'No free bind code right now; ask again.');
  }
}

function checked(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  if (!CURSOR.test(cursor))
    throw invalidArgument('cursor is not one this server handed out.', 'cursor');
  return cursor;
}

function page<T>(rows: T[], limit: number, key: (row: T) => string): Paged<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? key(last) : null };
}
