/** Value types of the settings, shared by the schema (schema.ts). */
import { z } from 'zod';

export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Booleans from env text or JSON: true/false/1/0 (zod's plain coercion reads "false" as true). */
export const flag = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
]);

const extTags = z.record(z.string(), z.string()).default({});
/** The extension table without etcd (docs/extensions.md): the same records as in etcd. */
export const extStatic = z.preprocess(
  (v, ctx) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON (see docs/extensions.md)' });
      return z.NEVER;
    }
  },
  z
    .object({
      services: z
        .record(
          z.string(),
          z.array(
            z
              .object({
                instance_id: z.string().min(1).max(128),
                addr: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port'),
                mode: z.enum(['sync', 'async']),
                timeout_ms: z.number().int().min(1).max(600_000).optional(),
                weight: z.number().int().min(0).max(10_000).default(1),
                tags: extTags,
              })
              .strict(),
          ),
        )
        .default({}),
      types: z
        .record(
          z.string(),
          z
            .object({
              timeout_ms: z.number().int().min(1).max(600_000).optional(),
              degrade: z.enum(['reject', 'skip', 'passthrough']).default('reject'),
              tags: extTags,
            })
            .strict(),
        )
        .default({}),
    })
    .strict(),
);

const ROLE_NAMES = ['gateway', 'api', 'worker'] as const;
export type Role = (typeof ROLE_NAMES)[number];

/** `all` or a comma list of gateway, api and worker, as the list of roles it names. */
export function parseRoles(text: string): readonly Role[] | undefined {
  const names = text.split(',').map((name) => name.trim().toLowerCase());
  if (names.length === 1 && names[0] === 'all') return ROLE_NAMES;
  if (names.some((n) => !(ROLE_NAMES as readonly string[]).includes(n))) return undefined;
  return ROLE_NAMES.filter((role) => names.includes(role));
}

export const roles = z.string().refine((text) => parseRoles(text) !== undefined, {
  message: 'must be all or a comma list of gateway, api and worker',
});

export const urlOf = (schemes: readonly string[], example: string) =>
  z.string().refine((url) => schemes.some((scheme) => url.startsWith(`${scheme}://`)), {
    message: `must be a URL such as ${example}`,
  });

export const databaseUrl = z
  .string()
  .refine((url) => /^(postgres(ql)?|mysql|mariadb):\/\//.test(url), {
    message:
      'must be a postgres://, postgresql://, mysql:// or mariadb:// URL (leave unset for embedded SQLite)',
  })
  .optional();

/** An origin: scheme, host and optional port (a trailing slash is forgiven), nothing after. */
const ORIGIN = /^https?:\/\/[^\s/?#,]+\/?$/;

/** A comma list of origins (https://chat.example.com,http://localhost:5173). */
export const corsOrigins = z
  .string()
  .refine(
    (text) =>
      text
        .split(',')
        .map((origin) => origin.trim())
        .every((origin) => ORIGIN.test(origin)),
    { message: 'must be a comma list of origins such as https://chat.example.com' },
  )
  .optional();

/** The origins a `cors_origins` setting names, trimmed, without a trailing slash. */
export function parseOrigins(text: string | undefined): readonly string[] {
  if (text === undefined) return [];
  return text
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin !== '');
}
