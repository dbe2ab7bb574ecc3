import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';

/** packages/web/dist, seen from src/main or dist/main of the server package. */
const BUILT_WEB_APP = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/**
 * The directory of the web app to serve at /: `web_dir`, or the app built into
 * packages/web/dist. Undefined (and said once) when there is no index.html there: the API
 * runs without the app, as in an image built without it.
 */
export function webAppDir(config: Config, logger: Logger): string | undefined {
  const dir = config.web_dir ?? BUILT_WEB_APP;
  if (existsSync(join(dir, 'index.html'))) return dir;
  const how = config.web_dir === undefined ? ' (npm run build builds it)' : '';
  logger.info({ dir }, `no web app in ${dir}${how}; / serves nothing`);
  return undefined;
}
