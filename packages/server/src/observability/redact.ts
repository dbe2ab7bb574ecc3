/**
 * Secrets out of log lines, by name and by look: a query parameter or header is redacted when
 * its name is a known secret's, or when its value looks like a token whatever the name
 * (`?AccessToken=eyJ…`, `X-Debug: Bearer eyJ…`).
 */

export const REDACTED = '[redacted]';

/** Names compared lower-cased without `-` and `_`: `Access-Token` is `access_token`. */
const SECRET_NAMES = new Set([
  'accesstoken',
  'refreshtoken',
  'token',
  'password',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'apikey',
  'xapikey',
  'secret',
]);

const B64URL = '[A-Za-z0-9_-]';
/** A JWT (its header is JSON, so base64url `eyJ`), anywhere in the value. */
const JWT = new RegExp(`eyJ${B64URL}*\\.${B64URL}+\\.${B64URL}*`);
/** Parley's prefixed keys (`pwk_…`). */
const PREFIXED_KEY = new RegExp(`pwk_${B64URL}{8,}`);
/** A refresh token: 256 random bits in base64url, the whole value (a scheme may precede it). */
const REFRESH_TOKEN = new RegExp(`(?:^|\\s)${B64URL}{43}$`);

const isSecretName = (name: string): boolean =>
  SECRET_NAMES.has(name.toLowerCase().replace(/[-_]/g, ''));

/** True for a value that looks like a bearer credential, whatever field holds it. */
export function looksLikeToken(value: string): boolean {
  return JWT.test(value) || PREFIXED_KEY.test(value) || REFRESH_TOKEN.test(value.trim());
}

/** A URL fit for logs: secret-named and token-looking query values are replaced. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const fragment = url.indexOf('#', query);
  const end = fragment < 0 ? url.length : fragment;
  const params = url
    .slice(query + 1, end)
    .split('&')
    .map((param) => {
      const eq = param.indexOf('=');
      if (eq < 0) return param;
      const name = param.slice(0, eq);
      return isSecret(decoded(name), decoded(param.slice(eq + 1))) ? `${name}=${REDACTED}` : param;
    });
  return `${url.slice(0, query + 1)}${params.join('&')}${url.slice(end)}`;
}

/** Headers fit for logs: secret-named and token-looking values are replaced. */
export function redactHeaders(headers: unknown): unknown {
  if (typeof headers !== 'object' || headers === null) return headers;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value : [value];
    const secret = values.some((v) => typeof v === 'string' && isSecret(name, v));
    out[name] = secret ? REDACTED : value;
  }
  return out;
}

const isSecret = (name: string, value: string): boolean =>
  isSecretName(name) || looksLikeToken(value);

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
