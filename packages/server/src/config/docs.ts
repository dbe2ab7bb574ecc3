/** One line of help per setting: `parley --help` and the README table. */
import type { Config } from './schema.js';

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
    'Milliseconds a group commit that is not full may wait for more messages. Unset: 0 on SQLite, 15 on PostgreSQL and MySQL (only while at least three messages come in per that time).',
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
  cors_origins:
    'Comma list of origins (https://chat.example.com) whose pages may call the REST API from a browser (CORS). Unset: none; the web app Parley serves needs none.',
  web_dir:
    'Directory of the web app served at / by the api role. Unset: the app built into packages/web/dist (none served when it is not built).',
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
    "Members above which a group's messages fan out from the workers (one publish on the group's topic each) instead of from the sender's node (cluster shape only).",
  task_ack_wait: 'Seconds a background task may run unacknowledged before another worker takes it.',
  task_concurrency: 'Background tasks a worker runs at once.',
  membership_ttl:
    "Seconds after which a dead node leaves the cluster's membership list (etcd lease).",
};
