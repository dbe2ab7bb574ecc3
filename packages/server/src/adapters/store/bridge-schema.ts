/** The bridge tables (migration 0009) as kysely sees them. */

export interface BridgeAccountsTable {
  platform: string;
  account_id: string;
  last_sync_at: number;
  last_timestamp: number;
  owner_token_id: string | null;
}

export interface BridgeItemsTable {
  platform: string;
  account_id: string;
  kind: string;
  item_id: string;
  raw: string;
  conversation_id: string | null;
  sort_time: number;
  item_time: number;
  deleted_at: number | null;
  synced_at: number;
}

export interface WorkerTokensTable {
  id: string;
  name: string;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface BridgeGrantsTable {
  account_id: string;
  user_id: string;
  granted_at: number;
}

export interface BridgeTables {
  bridge_grants: BridgeGrantsTable;
  bridge_accounts: BridgeAccountsTable;
  bridge_items: BridgeItemsTable;
  worker_tokens: WorkerTokensTable;
}
