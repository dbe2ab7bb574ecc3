/** The device tables (migration 0008) as kysely sees them. */

export interface DevicesTable {
  device_id: string;
  owner_id: string | null;
  client_id: string;
  bind_code: string | null;
  bind_code_expires_at: number | null;
  bound_at: number | null;
  system_info: string;
  created_at: number;
  last_seen_at: number;
}

export interface DeviceSessionsTable {
  session_id: string;
  device_id: string;
  client_id: string;
  user_id: string;
  connected_at: number;
  last_active_at: number;
  status: string;
  metadata: string;
  created_at: number;
  updated_at: number;
}

export interface MessageLogsTable {
  id: string;
  session_id: string;
  message_type: string;
  content: string;
  direction: string;
  created_at: number;
}

export interface ConnectionEventsTable {
  id: string;
  session_id: string;
  event_type: string;
  event_data: string;
  created_at: number;
}

export interface DeviceTables {
  devices: DevicesTable;
  device_sessions: DeviceSessionsTable;
  message_logs: MessageLogsTable;
  connection_events: ConnectionEventsTable;
}
