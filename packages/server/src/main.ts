/** The composition root's entry: see main/parley.ts. Nothing but the CLI and tests import it. */
export { createParley, type ParleyOptions, type ParleyServer } from './main/parley.js';
export { openStore } from './main/engines.js';
export { SIGNING_KEY_FILE } from './main/use-cases.js';
