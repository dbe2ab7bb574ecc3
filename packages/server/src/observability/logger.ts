import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

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

/** JSON lines to stdout (or the given stream), secrets redacted. */
export function createLogger(level: LevelWithSilent, stream?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'parley' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}
