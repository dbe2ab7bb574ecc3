/** Ids are opaque strings: ULIDs for everything Parley creates. */

/** What an id in a path or a body may look like: short, URL-safe, no surprises for any engine. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
