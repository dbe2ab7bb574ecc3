import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { redactHeaders, redactUrl } from './redact.js';

/** Fields that may hold a secret; pino replaces their values before a line is written. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'jwt_private_key',
  '*.jwt_private_key',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

/**
 * URLs and headers, wherever a line carries them, lose their secrets by name and by look
 * (a token-shaped value is redacted whatever its parameter's or header's name).
 */
const serializers = {
  url: (url: unknown) => (typeof url === 'string' ? redactUrl(url) : url),
  headers: redactHeaders,
  req: (req: unknown) => {
    if (typeof req !== 'object' || req === null) return req;
    const { method, url, headers } = req as { method?: unknown; url?: unknown; headers?: unknown };
    return {
      method,
      url: typeof url === 'string' ? redactUrl(url) : url,
      ...(headers !== undefined && { headers: redactHeaders(headers) }),
    };
  },
};

/** JSON lines to stdout (or the given stream), secrets redacted. */
export function createLogger(level: LevelWithSilent, stream?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'parley' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}
