import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { basename } from 'node:path';

/**
 * The Content-Security-Policy of the web app: its own scripts and styles only (no inline
 * script, no eval), network calls to this origin only (REST and the WebSocket), avatars from
 * https. Browsers treat `'self'` in connect-src as covering ws(s):// to the same host.
 */
export const WEB_APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: https:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The built web app (packages/web): index.html and hashed files under /assets/. */
export const webAppRoutes: FastifyPluginAsync<{ root: string }> = async (app, { root }) => {
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // One route per file found now: unknown paths stay the API's JSON 404s.
    wildcard: false,
    index: ['index.html'],
    decorateReply: false,
    cacheControl: false,
    setHeaders: (res, path) => {
      res.setHeader('content-security-policy', WEB_APP_CSP);
      res.setHeader('x-content-type-options', 'nosniff');
      res.setHeader('referrer-policy', 'no-referrer');
      res.setHeader('x-frame-options', 'DENY');
      // Vite names assets by content hash: they never change; the page itself always may.
      const hashed = /-[A-Za-z0-9_-]{8,}\.(js|css|svg|woff2?)$/.test(basename(path));
      res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
};
