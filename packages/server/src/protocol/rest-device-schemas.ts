/** Wire schemas of the device endpoints (DEVICES.md: activation; the owner's views). */
import { z } from 'zod';
import type {
  ConnectionEventRecord,
  DeviceRecord,
  DeviceSessionRecord,
  MessageLogRecord,
} from '../ports/device-store.js';
import { named } from './rest-schemas.js';

const deviceId = z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'a device id (a MAC on real devices)');
const sessionId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a device session id');
const cursor = z.string().max(64).optional().describe('next_cursor of the previous page.');
const limit = z.coerce.number().int().min(1).max(100).optional();

export const PageQuery = z.object({ cursor, limit });
export const DeviceParams = z.object({ device_id: deviceId });
export const DeviceSessionParams = z.object({ session_id: sessionId });
export const BindBody = z.object({
  code: z.string().regex(/^\d{6}$/, 'the 6-digit code the device shows'),
});

export const Device = named(
  z.object({
    device_id: z.string(),
    client_id: z.string(),
    bound_at: z.number().int().nullable(),
    last_seen_at: z.number().int(),
    created_at: z.number().int(),
  }),
  'Device',
);
export const DeviceEnvelope = z.object({ device: Device });
export const DeviceList = z.object({
  devices: z.array(Device),
  next_cursor: z.string().nullable(),
});

export const DeviceSession = named(
  z.object({
    session_id: z.string(),
    device_id: z.string(),
    client_id: z.string(),
    user_id: z.string(),
    connected_at: z.number().int(),
    last_active_at: z.number().int(),
    status: z.enum(['active', 'inactive', 'disconnected']),
    metadata: z.unknown(),
  }),
  'DeviceSession',
);
export const DeviceSessionList = z.object({
  sessions: z.array(DeviceSession),
  next_cursor: z.string().nullable(),
});

export const MessageLog = named(
  z.object({
    id: z.string(),
    session_id: z.string(),
    message_type: z.string(),
    content: z.string().describe('The frame as JSON text; audio as {"frames","bytes"} per turn.'),
    direction: z.enum(['inbound', 'outbound']),
    created_at: z.number().int(),
  }),
  'MessageLog',
);
export const MessageLogList = z.object({
  logs: z.array(MessageLog),
  next_cursor: z.string().nullable(),
});

export const ConnectionEvent = named(
  z.object({
    id: z.string(),
    session_id: z.string(),
    event_type: z.string(),
    event_data: z.unknown(),
    created_at: z.number().int(),
  }),
  'ConnectionEvent',
);
export const ConnectionEventList = z.object({
  events: z.array(ConnectionEvent),
  next_cursor: z.string().nullable(),
});

const parsed = (json: string): unknown => {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
};

export const toPublicDevice = (d: DeviceRecord): z.infer<typeof Device> => ({
  device_id: d.deviceId,
  client_id: d.clientId,
  bound_at: d.boundAt,
  last_seen_at: d.lastSeenAt,
  created_at: d.createdAt,
});

export const toPublicDeviceSession = (s: DeviceSessionRecord): z.infer<typeof DeviceSession> => ({
  session_id: s.sessionId,
  device_id: s.deviceId,
  client_id: s.clientId,
  user_id: s.userId,
  connected_at: s.connectedAt,
  last_active_at: s.lastActiveAt,
  status: s.status,
  metadata: parsed(s.metadata),
});

export const toPublicLog = (l: MessageLogRecord): z.infer<typeof MessageLog> => ({
  id: l.id,
  session_id: l.sessionId,
  message_type: l.messageType,
  content: l.content,
  direction: l.direction,
  created_at: l.createdAt,
});

export const toPublicEvent = (e: ConnectionEventRecord): z.infer<typeof ConnectionEvent> => ({
  id: e.id,
  session_id: e.sessionId,
  event_type: e.eventType,
  event_data: parsed(e.eventData),
  created_at: e.createdAt,
});
