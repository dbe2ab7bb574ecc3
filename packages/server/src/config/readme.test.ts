import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOCS } from './docs.js';
import { ConfigSchema } from './schema.js';

describe('the README configuration table', () => {
  it('has a row for every setting, with its default', () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
    const defaults = ConfigSchema.parse({});
    for (const key of Object.keys(CONFIG_DOCS) as (keyof typeof CONFIG_DOCS)[]) {
      const value = defaults[key];
      const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
      const shown = value === undefined ? 'unset' : `\`${text}\``;
      expect(readme, key).toContain(`| \`PARLEY_${key.toUpperCase()}\` | \`${key}\` | ${shown} |`);
    }
  });
});
