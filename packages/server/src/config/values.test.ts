import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';
import { parseOrigins } from './values.js';

describe('cors_origins', () => {
  it('is a comma list of origins, none by default', () => {
    expect(loadConfig({ env: {} }).cors_origins).toBeUndefined();
    expect(parseOrigins(undefined)).toEqual([]);
    const config = loadConfig({
      env: { PARLEY_CORS_ORIGINS: 'https://chat.example.com, http://localhost:5173/' },
    });
    expect(parseOrigins(config.cors_origins)).toEqual([
      'https://chat.example.com',
      'http://localhost:5173',
    ]);
  });

  it('refuses what is not an origin, naming the variable', () => {
    for (const bad of ['chat.example.com', 'https://chat.example.com/app', '*', 'ftp://x']) {
      expect(() => loadConfig({ env: { PARLEY_CORS_ORIGINS: bad } }), bad).toThrow(ConfigError);
    }
    expect(() => loadConfig({ env: { PARLEY_CORS_ORIGINS: 'x' } })).toThrow(/PARLEY_CORS_ORIGINS/);
  });
});
