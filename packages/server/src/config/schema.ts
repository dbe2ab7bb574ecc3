import { z } from 'zod';
import { corsOrigins, databaseUrl, extStatic, flag, int, roles, urlOf } from './values.js';

export { parseRoles, type Role } from './values.js';

/**
 * Every setting Parley reads. File keys are these names; environment variables are the same
 * names upper-cased with the PARLEY_ prefix (`port` ← `PARLEY_PORT`). Unknown keys are errors.
 */
export const ConfigSchema = z
  .object({
    host: z.string().min(1).default('0.0.0.0'),
    port: int(0, 65535).default(8080),
    listen_backlog: int(1, 65535).default(4096),
    data_dir: z.string().min(1).default('./data'),
    database_url: databaseUrl,
    database_pool_size: int(1, 1000).default(10),
    log_level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    body_limit: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
    access_token_ttl: int(30, 24 * 3600).default(900),
    refresh_token_ttl: int(60, 365 * 24 * 3600).default(30 * 24 * 3600),
    jwt_private_key: z.string().min(1).optional(),
    login_failure_limit: int(1, 1_000_000).default(10),
    login_failure_limit_per_address: int(1, 1_000_000).default(50),
    signup_limit: int(1, 1_000_000).default(600),
    rate_limit_window: int(1, 24 * 3600).default(60),
    trust_proxy: flag.default(false),
    max_connections: int(1, 10_000_000).default(16_000),
    max_connections_per_address: int(0, 10_000_000).default(1_000),
    http_headers_timeout: int(1, 3600).default(10),
    http_request_timeout: int(1, 3600).default(30),
    http_keep_alive_timeout: int(1, 3600).default(72),
    shutdown_timeout: int(0, 600).default(10),
    argon2_memory_kib: int(1024, 4 * 1024 * 1024).default(19_456),
    argon2_iterations: int(1, 100).default(2),
    max_content_bytes: int(16, 16 * 1024 * 1024).default(64 * 1024),
    recall_window: int(0, 365 * 24 * 3600).default(120),
    ws_max_frame_bytes: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
    ws_send_queue_bytes: int(1024, 1024 * 1024 * 1024).default(1024 * 1024),
    ws_rate_per_second: int(1, 1_000_000).default(1000),
    ws_rate_burst: int(1, 1_000_000).default(1000),
    ws_max_inflight: int(1, 100_000).default(256),
    ws_idle_timeout: int(1, 24 * 3600).default(60),
    ws_ping_interval: int(1, 3600).default(25),
    commit_max_batch: int(1, 10_000).default(256),
    commit_max_pending: int(1, 10_000_000).default(50_000),
    commit_linger_ms: int(0, 1_000).optional(),
    dm_policy: z.enum(['friends', 'anyone']).default('friends'),
    guest_policy: z.enum(['restricted', 'full']).default('restricted'),
    group_max_members: int(2, 1_000_000).default(100_000),
    group_add_policy: z.enum(['friends', 'anyone']).default('friends'),
    group_members_per_request: int(1, 100_000).default(500),
    group_create_limit: int(1, 1_000_000).default(20),
    grpc_host: z.string().min(1).default('127.0.0.1'),
    grpc_port: int(0, 65535).default(9090),
    grpc_max_message_bytes: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
    grpc_rate_per_second: int(1, 1_000_000).default(1000),
    grpc_rate_burst: int(1, 1_000_000).default(1000),
    grpc_stream_queue: int(16, 1_000_000).default(1024),
    grpc_advertise_addr: z
      .string()
      .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port')
      .optional(),
    etcd_endpoints: z.string().min(1).optional(),
    ext: extStatic.default({ services: {}, types: {} }),
    ext_timeout_ms: int(1, 600_000).default(50),
    ext_concurrency: int(1, 100_000).default(64),
    ext_queue: int(0, 1_000_000).default(256),
    ext_breaker_failures: int(1, 1_000).default(5),
    ext_breaker_open_ms: int(10, 600_000).default(1_000),
    ext_async_deadline: int(0, 7 * 24 * 3600).default(600),
    role: roles.default('all'),
    node_id: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, - or _')
      .optional(),
    nats_url: urlOf(['nats'], 'nats://host:4222').optional(),
    redis_url: urlOf(['redis', 'rediss'], 'redis://host:6379').optional(),
    admin_token: z.string().min(16, 'must be at least 16 characters').optional(),
    presence_ttl: int(3, 3600).default(15),
    fanout_worker_threshold: int(2, 10_000_000).default(1_000),
    task_ack_wait: int(1, 3600).default(30),
    task_concurrency: int(1, 10_000).default(32),
    membership_ttl: int(2, 600).default(10),
    ai_addr: z
      .string()
      .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port')
      .optional(),
    ai_streams: int(1, 64).default(2),
    ai_keepalive_ms: int(1_000, 3_600_000).default(10_000),
    ai_keepalive_timeout_ms: int(100, 600_000).default(3_000),
    ai_reconnect_max_ms: int(100, 600_000).default(10_000),
    ai_session_queue: int(4, 10_000).default(64),
    ai_answer_timeout: int(1, 3600).default(15),
    device_max_frame_bytes: int(1024, 16 * 1024 * 1024).default(64 * 1024),
    device_send_queue_bytes: int(16 * 1024, 64 * 1024 * 1024).default(512 * 1024),
    device_hello_timeout: int(1, 600).default(10),
    device_public_url: z.string().url().optional(),
    bridge_body_limit: int(1024, 256 * 1024 * 1024).default(16 * 1024 * 1024),
    cors_origins: corsOrigins,
    web_dir: z.string().min(1).optional(),
  })
  .strict();

export type Config = Readonly<z.output<typeof ConfigSchema>>;
export type ConfigInput = z.input<typeof ConfigSchema>;
