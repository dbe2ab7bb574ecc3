import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { e2eServer } from '../support/e2e-fixture.js';

/** A stand-in for the built web app: a page and one hashed asset. */
function webDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><script type="module" src="/assets/index-AbC123xy.js"></script>',
  );
  writeFileSync(join(dir, 'assets', 'index-AbC123xy.js'), 'export {};');
  return dir;
}

describe('the web app at /, with its Content-Security-Policy', () => {
  const t = e2eServer('sqlite', { web_dir: webDir() });

  it('serves the page with a strict CSP: own scripts only, no inline script, connections to itself', async () => {
    const res = await t.server.fetch('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves hashed assets as immutable, and leaves unknown paths to the API', async () => {
    const asset = await t.server.fetch('/assets/index-AbC123xy.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const unknown = await t.server.fetch('/v1/no-such-route');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await t.server.fetch('/health')).status).toBe(200);
  });

  it('sends no CORS headers when no origin is allowed', async () => {
    const res = await t.server.fetch('/health', { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('without a built web app', () => {
  const t = e2eServer('sqlite', { web_dir: mkdtempSync(join(tmpdir(), 'parley-noweb-')) });

  it('serves the API alone: / is a 404 and says so in the log', async () => {
    expect((await t.server.fetch('/')).status).toBe(404);
    expect(t.server.logs.join('')).toContain('no web app in');
  });
});

describe('CORS for clients served elsewhere (cors_origins)', () => {
  const allowed = 'https://chat.example.com';
  const t = e2eServer('sqlite', { cors_origins: `${allowed}, http://localhost:5173` });

  it('answers a preflight from a listed origin, and names it on answers', async () => {
    const preflight = await t.server.fetch('/v1/auth/login', {
      method: 'OPTIONS',
      headers: {
        origin: allowed,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const res = await t.server.fetch('/v1/users/me', {
      headers: { origin: 'http://localhost:5173' },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('gives other origins nothing', async () => {
    const preflight = await t.server.fetch('/v1/auth/login', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.status).toBe(404);
  });
});
