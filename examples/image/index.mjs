// An async Parley extension for image messages: acknowledges at once, then completes with a
// `custom` message of type `image.meta` describing the image. It derives everything from the
// content (no download). Run: node examples/image/index.mjs
//
// It serves the type `image.upload` (PARLEY_EXT_IMAGE_TYPE): Parley validates its built-in
// `image` type itself and does not hand it to extension services.
import { custom, parsePayload, serveExtension } from '@parley/ext';

const MAX_SIDE = 100_000;
const FORMATS = { jpg: 'jpeg', jpeg: 'jpeg', png: 'png', gif: 'gif', webp: 'webp', avif: 'avif' };

const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b));

/** `{url, width?, height?}` → the metadata Parley delivers, or a reason to refuse it. */
function describe(content) {
  let url;
  try {
    url = new URL(content.url);
  } catch {
    return { reason: 'url must be an absolute http(s) URL.' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { reason: 'url must be an absolute http(s) URL.' };
  }
  for (const side of ['width', 'height']) {
    const v = content[side];
    if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > MAX_SIDE)) {
      return { reason: `${side} must be a whole number of pixels from 1 to ${MAX_SIDE}.` };
    }
  }
  const { width, height } = content;
  const extension = url.pathname.split('.').pop()?.toLowerCase() ?? '';
  const data = { url: url.href, host: url.host, format: FORMATS[extension] ?? 'unknown' };
  if (width !== undefined && height !== undefined) {
    const d = gcd(width, height);
    data.width = width;
    data.height = height;
    data.orientation = width > height ? 'landscape' : width < height ? 'portrait' : 'square';
    data.aspect_ratio = `${width / d}:${height / d}`;
    data.megapixels = Math.round((width * height) / 10_000) / 100;
  }
  return { data };
}

/** Idempotent: the same content always gives the same metadata (and message id). */
async function handleImage(msg, reply) {
  const { data, reason } = describe(parsePayload(msg));
  if (reason !== undefined) return reply.reject(reason);
  await reply.complete(custom('image.meta', data));
}

const env = process.env;
const msgType = env.PARLEY_EXT_IMAGE_TYPE ?? 'image.upload';
const ext = await serveExtension({
  types: { [msgType]: { mode: 'async', handleAsync: handleImage } },
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
process.stdout.write(`${msgType} extension serving on ${ext.addr} (instance ${ext.instanceId})\n`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => ext.close().then(() => process.exit(0)));
}
