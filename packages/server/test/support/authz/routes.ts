import type { FastifyInstance } from 'fastify';

/**
 * Every route Fastify serves, as `METHOD path` (HEAD, which Fastify adds beside each GET,
 * left out), read back from the running instance's route tree so that nothing has to be
 * listed twice.
 */
export function registeredRoutes(app: FastifyInstance): string[] {
  const tree = app.printRoutes({ commonPrefix: false });
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│├└─\s]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!match) continue;
    const depth = Math.floor((match[1] ?? '').length / 4);
    stack.length = depth;
    stack.push(match[2] ?? '');
    for (const method of (match[3] ?? '').split(', ')) {
      if (method === '' || method === 'HEAD') continue;
      routes.push(`${method} ${stack.join('')}`);
    }
  }
  return routes.sort();
}
