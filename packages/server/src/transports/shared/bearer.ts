const BEARER = /^Bearer[ \t]+([^\s]+)\s*$/i;

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export const parseBearer = (header: string | undefined): string | undefined =>
  header === undefined ? undefined : BEARER.exec(header)?.[1];
