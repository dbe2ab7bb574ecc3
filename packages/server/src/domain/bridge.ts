/** Bridges (seed 001): the constants the app, the wire schemas and the CLI share. */

/** Every worker token starts with this, so that a leaked one is recognisable in a scan. */
export const WORKER_TOKEN_PREFIX = 'pwk_';
export const MAX_WORKER_TOKEN_NAME = 100;
