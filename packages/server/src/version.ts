/** Parley's version; test/unit checks it against package.json. */
export const VERSION = '0.1.0';
