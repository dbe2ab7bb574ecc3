import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Booleans from env text or JSON: true/false/1/0 (zod's plain coercion reads "false" as true). */
const flag = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
]);

const extTags = z.record(z.string(), z.string()).default({});
/** The extension table without etcd (docs/extensions.md): the same records as in etcd. */
const extStatic = z.preprocess(
  (v, ctx) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON (see docs/extensions.md)' });
      return z.NEVER;
    }
  },
  z
    .object({
      services: z
        .record(
          z.string(),
          z.array(
            z
              .object({
                instance_id: z.string().min(1).max(128),
                addr: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port'),
                mode: z.enum(['sync', 'async']),
                timeout_ms: z.number().int().min(1).max(600_000).optional(),
                weight: z.number().int().min(0).max(10_000).default(1),
                tags: extTags,
              })
              .strict(),
          ),
        )
        .default({}),
      types: z
        .record(
          z.string(),
          z
            .object({
              timeout_ms: z.number().int().min(1).max(600_000).optional(),
              degrade: z.enum(['reject', 'skip', 'passthrough']).default('reject'),
              tags: extTags,
            })
            .strict(),
        )
        .default({}),
    })
    .strict(),
);

const ROLE_NAMES = ['gateway', 'api', 'worker'] as const;
export type Role = (typeof ROLE_NAMES)[number];

/** `all` or a comma list of gateway, api and worker, as the list of roles it names. */
export function parseRoles(text: string): readonly Role[] | undefined {
  const names = text.split(',').map((name) => name.trim().toLowerCase());
  if (names.length === 1 && names[0] === 'all') return ROLE_NAMES;
  if (names.some((n) => !(ROLE_NAMES as readonly string[]).includes(n))) return undefined;
  return ROLE_NAMES.filter((role) => names.includes(role));
}

const roles = z.string().refine((text) => parseRoles(text) !== undefined, {
  message: 'must be all or a comma list of gateway, api and worker',
});

const urlOf = (schemes: readonly string[], example: string) =>
  z.string().refine((url) => schemes.some((scheme) => url.startsWith(`${scheme}://`)), {
    message: `must be a URL such as ${example}`,
  });

const databaseUrl = z
  .string()
  .refine((url) => /^(postgres(ql)?|mysql|mariadb):\/\//.test(url), {
    message:
      'must be a postgres://, postgresql://, mysql:// or mariadb:// URL (leave unset for embedded SQLite)',
  })
  .optional();

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
  })
  .strict();

export type Config = Readonly<z.output<typeof ConfigSchema>>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export const CONFIG_DOCS: Record<keyof Config, string> = {
  host: 'Address the HTTP and WebSocket server listens on.',
  port: 'HTTP port (0 picks a free one).',
  listen_backlog:
    'Connections the kernel queues before they are accepted (capped by net.core.somaxconn); room for a reconnect storm.',
  data_dir: 'Directory for the embedded database and the generated signing key.',
  database_url:
    'Unset: embedded SQLite in the data dir. postgres://… : PostgreSQL. mysql://… or mariadb://… : MySQL or MariaDB.',
  database_pool_size: 'Connections in the PostgreSQL or MySQL pool.',
  log_level: 'fatal, error, warn, info, debug, trace or silent.',
  body_limit: 'Largest accepted request body in bytes; larger gets 413.',
  access_token_ttl: 'Lifetime of an access token in seconds.',
  refresh_token_ttl: 'Lifetime of a session without use, in seconds (each refresh renews it).',
  jwt_private_key:
    'Ed25519 private key (PKCS#8 PEM) for access tokens; unset: generated once into the data dir.',
  login_failure_limit: 'Failed logins per username per rate-limit window.',
  login_failure_limit_per_address:
    'Failed logins per client address per rate-limit window, whatever the usernames.',
  signup_limit: 'Registrations and guest logins per client address per rate-limit window.',
  rate_limit_window: 'Length of the rate-limit window in seconds.',
  trust_proxy: 'Take the client address from X-Forwarded-For (only behind a trusted proxy).',
  max_connections:
    'Open TCP connections (HTTP and WebSocket) in all; keep it below the open-file limit. Past it, 64 more are served health checks only, then new ones are cut.',
  max_connections_per_address:
    'Open TCP connections one client address may hold (the peer address: a proxy counts as one); more are cut at once. 0: no bound.',
  http_headers_timeout:
    "Seconds a client has to send a request's headers, its first request included; a connection that sends nothing is closed (408) after it.",
  http_request_timeout: 'Seconds a client has to send a whole HTTP request, body included.',
  http_keep_alive_timeout:
    'Seconds an idle HTTP connection is kept open after an answer; behind a load balancer, above its idle timeout.',
  shutdown_timeout: 'Seconds to finish in-flight requests after SIGTERM before closing anyway.',
  argon2_memory_kib: 'argon2id memory cost in KiB.',
  argon2_iterations: 'argon2id time cost (passes).',
  max_content_bytes: 'Largest message content, in bytes of JSON; more gets INVALID_ARGUMENT.',
  recall_window: 'Seconds after sending during which the sender may recall a message.',
  ws_max_frame_bytes: 'Largest WebSocket frame; more closes the connection with 1009.',
  ws_send_queue_bytes:
    'Bytes that may wait to be sent to one connection; more closes it with 4008.',
  ws_rate_per_second: 'WebSocket requests per second per connection (sustained).',
  ws_rate_burst: 'WebSocket requests per connection in a burst.',
  ws_max_inflight:
    'Requests one connection may have in progress at once; the next wait their turn (up to the burst size).',
  ws_idle_timeout:
    'Seconds without any frame from a client (pongs count) before closing it with 4000.',
  ws_ping_interval: 'Seconds between the WebSocket pings the server sends.',
  commit_max_batch: 'Most messages written in one group commit.',
  commit_max_pending: 'Most messages waiting for a commit; more gets UNAVAILABLE.',
  commit_linger_ms:
    'Milliseconds a group commit that is not full may wait for more messages. Unset: 0 on SQLite, 5 on PostgreSQL and MySQL (only while messages come faster than one per that time).',
  dm_policy: 'friends: a single conversation needs friendship; anyone: any two users may talk.',
  guest_policy:
    'restricted: guests cannot send friend requests, open single conversations or create groups; full: like registered users.',
  group_max_members: 'Most members a group may have.',
  group_add_policy:
    'friends: creating a group or adding members adds your friends, and invites the others (they accept or decline); anyone: adds anyone.',
  group_members_per_request:
    'Most users one group creation or add-members request may name; larger groups grow by joins and invitations.',
  group_create_limit: 'Groups one user may create per rate-limit window.',
  grpc_host:
    'Address the gRPC server (public API, extension callback, health, reflection) listens on; loopback by default: widen it for clients and extension services on other hosts.',
  grpc_port: 'gRPC port (the api role: public API and extension callback); 0 picks a free one.',
  grpc_max_message_bytes: 'Largest gRPC request message; larger ones get RESOURCE_EXHAUSTED.',
  grpc_rate_per_second: 'gRPC calls per second per user on one node (sustained).',
  grpc_rate_burst: 'gRPC calls per user on one node in a burst.',
  grpc_stream_queue:
    'Events that may wait for one MessageService.Subscribe reader; past them the stream is cut off (RESOURCE_EXHAUSTED).',
  grpc_advertise_addr:
    'host:port extension services use to reach the callback service; unset: the gRPC host (127.0.0.1 for a wildcard) and port.',
  etcd_endpoints:
    'Comma-separated etcd URLs: extension services are discovered there. Unset: from the ext setting.',
  ext: 'Extension services and per-type policy without etcd (JSON; see docs/extensions.md).',
  ext_timeout_ms: 'Deadline of an extension call when neither the instance nor the type sets one.',
  ext_concurrency: 'Extension calls in flight per message type.',
  ext_queue: 'Extension calls waiting per message type beyond those in flight; more degrade.',
  ext_breaker_failures: "Consecutive failures that open an extension instance's circuit breaker.",
  ext_breaker_open_ms: 'How long an open breaker keeps traffic away before a trial call.',
  ai_addr:
    'host:port of the AI service (im.ai.v1.AIService, docs/devices.md). Unset: devices connect and get an alert that no AI service is configured.',
  ai_streams: 'Long-lived ChatStreams to the AI service; device sessions are spread over them.',
  ai_keepalive_ms: 'gRPC keepalive ping interval toward the AI service, in ms.',
  ai_keepalive_timeout_ms:
    'How long a keepalive ping may go unanswered before the link is deemed broken, in ms.',
  ai_reconnect_max_ms:
    'Longest wait between two reconnect attempts to the AI service (exponential backoff with jitter), in ms.',
  ai_session_queue:
    'Frames one device session may have waiting toward the AI service; late audio beyond it is dropped.',
  ai_answer_timeout:
    "Seconds a device's turn may wait for the AI service's first answer; then the device gets an alert.",
  device_max_frame_bytes: 'Largest frame a device may send; larger closes it with 1009.',
  device_send_queue_bytes: 'Bytes that may wait to be sent to one device; more cuts it off (4008).',
  device_hello_timeout:
    'Seconds a device has to send its hello after connecting; then it is closed.',
  bridge_body_limit:
    'Largest worker sync payload in bytes (POST /v1/bridge/sync, docs/bridges.md); larger gets 413.',
  device_public_url:
    'Base URL devices reach this server on (e.g. http://192.168.1.10:8080), for the OTA answer; unset: from the request.',
  ext_async_deadline:
    'Seconds an async extension message may stay pending; past them it fails with a reason (message.updated). 0: no deadline.',
  role: 'all (one process does everything) or a comma list of gateway, api and worker (docs/operations.md).',
  node_id: "This node's name in the cluster (letters, digits, - and _). Unset: generated at start.",
  nats_url:
    'NATS server (JetStream enabled): the cluster bus and task queue. Unset: in-process (one node only).',
  redis_url:
    'Redis: presence and rate limits shared by the cluster. Unset: in-process (one node only).',
  admin_token:
    'Bearer token for the operator endpoints under /v1/admin/ (at least 16 characters). Unset: they answer 404.',
  presence_ttl: "Seconds after which a silent gateway's users count as offline (cluster presence).",
  fanout_worker_threshold:
    "Members above which a group's messages fan out from workers in batches (cluster shape only).",
  task_ack_wait: 'Seconds a background task may run unacknowledged before another worker takes it.',
  task_concurrency: 'Background tasks a worker runs at once.',
  membership_ttl:
    "Seconds after which a dead node leaves the cluster's membership list (etcd lease).",
};
