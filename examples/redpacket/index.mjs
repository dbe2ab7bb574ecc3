// A sync Parley extension for `redpacket` messages: validates the packet and, when it is good,
// has Parley deliver a system notice with it. Run: node examples/redpacket/index.mjs
import { accept, parsePayload, reject, serveExtension, text } from '@parley/ext';

const MAX_COUNT = 100;
const MAX_GREETING = 100;

/**
 * Content `{amount, count, greeting?}`: amount in cents (a positive whole number), count of
 * packets 1–100, an optional greeting. Pure and deterministic, so a repeated call (same msg_id)
 * gets the same answer; a real service would also debit the sender keyed by msg_id.
 */
function handleRedPacket(msg) {
  const { amount, count, greeting } = parsePayload(msg);
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    return reject('amount must be a positive whole number of cents.');
  }
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    return reject(`count must be a whole number from 1 to ${MAX_COUNT}.`);
  }
  if (amount < count) return reject('amount must give every packet at least one cent.');
  if (greeting !== undefined && (typeof greeting !== 'string' || greeting.length > MAX_GREETING)) {
    return reject(`greeting must be a text of at most ${MAX_GREETING} characters.`);
  }
  const words = greeting?.trim() || 'Best wishes!';
  return accept(text(`${msg.fromUid} sent a red packet: ${words}`, { scene: 'system' }));
}

const env = process.env;
const ext = await serveExtension({
  types: { redpacket: { mode: 'sync', handle: handleRedPacket } },
  host: env.PARLEY_EXT_HOST ?? '127.0.0.1',
  port: Number(env.PARLEY_EXT_PORT ?? 0),
  etcd: {
    endpoints: (env.PARLEY_ETCD_ENDPOINTS ?? 'http://127.0.0.1:2379').split(','),
    keyPrefix: env.PARLEY_EXT_KEY_PREFIX ?? '/parley/ext/services',
    leaseTtlSeconds: Number(env.PARLEY_EXT_LEASE_TTL ?? 10),
  },
  logger: (level, message, fields) =>
    process.stderr.write(`${level} ${message} ${fields?.err ?? ''}\n`),
});
process.stdout.write(`redpacket extension serving on ${ext.addr} (instance ${ext.instanceId})\n`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => ext.close().then(() => process.exit(0)));
}
