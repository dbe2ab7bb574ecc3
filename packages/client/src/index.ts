export { ParleyError } from './errors.js';
export { ParleyHttpClient, type HttpClientOptions } from './http-client.js';
export type * from './types.js';
