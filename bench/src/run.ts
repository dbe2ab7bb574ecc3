/**
 * `npm run bench [-- --quick] [--scenario direct,group] [--rates 1000,5000] [--pairs 100]
 *   [--members 1000] [--group-rate 50] [--duration 10] [--cpu-prof DIR]`:
 * runs the scenarios against a fresh Parley server process on the embedded store and prints
 * one JSON line per run. The load runs in this process, on the same machine.
 */
import { parseArgs } from 'node:util';
import { runDirect } from './direct.js';
import { DEAD_EXTENSION_ENV, runExt } from './ext.js';
import { runGroup } from './group.js';
import { startServer } from './server.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rates: { type: 'string' },
    pairs: { type: 'string' },
    duration: { type: 'string' },
    'cpu-prof': { type: 'string' },
    scenario: { type: 'string' },
    members: { type: 'string' },
    'group-rate': { type: 'string' },
  },
});

const quick = values.quick === true;
const rates = (values.rates ?? (quick ? '1000' : '1000,5000,10000')).split(',').map(Number);
const pairs = Number(values.pairs ?? (quick ? 10 : 100));
const durationMs = Number(values.duration ?? (quick ? 3 : 10)) * 1000;
const scenarios = (values.scenario ?? 'direct,group,ext').split(',');
const members = Number(values.members ?? (quick ? 100 : 1000));
const groupRate = Number(values['group-rate'] ?? (quick ? 10 : 50));

// --cpu-prof DIR: the server writes a V8 CPU profile into DIR when it stops.
const profile = values['cpu-prof'];
// The ext scenario needs a type whose service is dead; the others never send it.
const server = await startServer(
  DEAD_EXTENSION_ENV,
  profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`],
);
try {
  if (scenarios.includes('direct')) {
    for (const rate of rates) {
      const result = await runDirect(server, { pairs, rate, durationMs });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  }
  if (scenarios.includes('ext')) {
    // Text at the first rate while a dead extension's type is sent 100 times a second.
    const result = await runExt(server, {
      pairs,
      rate: rates[0] ?? 1000,
      durationMs,
      extRate: 100,
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  if (scenarios.includes('group')) {
    const result = await runGroup(server, { members, rate: groupRate, durationMs });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
} finally {
  await server.stop();
}
