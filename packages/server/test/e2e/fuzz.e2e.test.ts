import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configCase, configScratch, runConfigCase } from '../fuzz/config-edge.js';
import { Client, credentials } from '@grpc/grpc-js';
import { apiCase, runApiCase } from '../fuzz/grpc-api-edge.js';
import { callbackClient, grpcCase, runGrpcCase } from '../fuzz/grpc-edge.js';
import { httpCase, runHttpCase } from '../fuzz/http-edge.js';
import { fuzzCases, fuzzSeed, Rng } from '../fuzz/prng.js';
import { runPool, Tally } from '../fuzz/tally.js';
import { freshTargets } from '../fuzz/targets.js';
import { FuzzConnection, runWsCase, wsCase } from '../fuzz/ws-edge.js';
import { registeredRoutes } from '../support/authz/routes.js';
import { e2eServer } from '../support/e2e-fixture.js';
import { wsOps } from '../../src/transports/ws/ws-ops.js';

// Seeded fuzzing of every edge (docs/reliability.md). CI runs a few thousand cases per edge
// with a fixed seed; `npm run fuzz` runs 100,000 (PARLEY_FUZZ_CASES) and PARLEY_FUZZ_SEED
// replays another seed. Each case checks: no 5xx or INTERNAL, errors in the protocol's shape,
// the WebSocket left open (but for an over-limit frame), and /health answering between batches.
const SEED = fuzzSeed(0x5eed_2026);
const CASES = fuzzCases(2_000);
const BATCH = 250;
const BODY_LIMIT = 1024 * 1024;
const MAX_FRAME = 256 * 1024;
// Generous: a long run on a busy machine may take a few milliseconds a case.
const timeout = Math.max(60_000, CASES * 40);

describe('fuzzing every edge', () => {
  const tallies: Tally[] = [];

  beforeAll(() => {
    console.log(
      `fuzz: seed ${SEED} (PARLEY_FUZZ_SEED), ${CASES} cases per edge (PARLEY_FUZZ_CASES)`,
    );
  });
  const t = e2eServer('sqlite', {
    log_level: 'warn',
    body_limit: BODY_LIMIT,
    ws_max_frame_bytes: MAX_FRAME,
    signup_limit: 1_000_000,
    login_failure_limit: 1_000_000,
    ws_rate_per_second: 1_000_000,
    ws_rate_burst: 1_000_000,
    grpc_rate_per_second: 1_000_000,
    grpc_rate_burst: 1_000_000,
  });
  // Registered after the fixture's, so it runs before the server stops.
  afterAll(() => {
    const summary = {
      seed: SEED,
      cases_per_edge: CASES,
      edges: tallies.map((tally) => tally.summary()),
    };
    console.log(JSON.stringify(summary, null, 2));
    const out = process.env.PARLEY_FUZZ_REPORT;
    if (out !== undefined && out !== '') writeFileSync(out, JSON.stringify(summary, null, 2));
  });

  /** Between batches: the server still answers /health. */
  const healthy = async (tally: Tally) => {
    if (CASES > 10_000 && tally.cases % 10_000 < BATCH) {
      console.log(`fuzz: ${tally.edge} ${tally.cases} cases, ${tally.failed} failed`);
    }
    const res = await t.server.fetch('/health');
    if (res.status !== 200) tally.fail('crash', `/health answered ${res.status}`);
    return res.status === 200;
  };

  it('HTTP: every route, malformed bodies, params, queries and headers', { timeout }, async () => {
    const tally = new Tally('http');
    tallies.push(tally);
    const rng = new Rng(SEED ^ 0x1);
    const routes = registeredRoutes(t.server.parley.http);
    for (let start = 0; start < CASES; start += BATCH) {
      const targets = await freshTargets(t.server);
      const cases = Math.min(BATCH, CASES - start);
      const batch = Array.from({ length: cases }, () => httpCase(rng, routes, targets, BODY_LIMIT));
      await runPool(cases, 8, async (i) => {
        tally.cases += 1;
        await runHttpCase(t.server.url, batch[i]!, tally);
      });
      if (!(await healthy(tally))) break;
    }
    expect(tally.summary()).toMatchObject({ cases: CASES, failed: 0 });
  });

  it(
    'WebSocket: bad frames, unknown ops, wrong data for every op, binary and huge frames',
    { timeout },
    async () => {
      const tally = new Tally('ws');
      tallies.push(tally);
      const rng = new Rng(SEED ^ 0x2);
      const ops = [...wsOps({} as Parameters<typeof wsOps>[0]).keys()];
      for (let start = 0; start < CASES; start += BATCH) {
        const targets = await freshTargets(t.server);
        const cases = Math.min(BATCH, CASES - start);
        const batch = Array.from({ length: cases }, (_, i) =>
          wsCase(rng, ops, targets, start + i, MAX_FRAME),
        );
        // Four connections, one frame at a time each; a closed one is replaced.
        const lanes = 4;
        await Promise.all(
          Array.from({ length: lanes }, async (_, lane) => {
            let connection = await FuzzConnection.open(t.server.url, targets.token);
            for (let i = lane; i < cases; i += lanes) {
              if (connection.closed)
                connection = await FuzzConnection.open(t.server.url, targets.token);
              tally.cases += 1;
              await runWsCase(connection, batch[i]!, tally);
            }
            connection.close();
          }),
        );
        if (!(await healthy(tally))) break;
      }
      expect(tally.summary()).toMatchObject({ cases: CASES, failed: 0 });
    },
  );

  it(
    'gRPC: ExtCallbackService.Complete with random fields and random bytes',
    { timeout },
    async () => {
      const tally = new Tally('grpc');
      tallies.push(tally);
      const rng = new Rng(SEED ^ 0x3);
      const client = callbackClient(`127.0.0.1:${t.server.parley.grpcPort()}`);
      try {
        for (let start = 0; start < CASES; start += BATCH) {
          const cases = Math.min(BATCH, CASES - start);
          const batch = Array.from({ length: cases }, () => grpcCase(rng));
          await runPool(cases, 8, async (i) => {
            tally.cases += 1;
            await runGrpcCase(client, batch[i]!, tally);
          });
          if (!(await healthy(tally))) break;
        }
      } finally {
        client.close();
      }
      expect(tally.summary()).toMatchObject({ cases: CASES, failed: 0 });
    },
  );

  it(
    'gRPC: every public method with random bytes, wrong wire types and random values',
    { timeout },
    async () => {
      const tally = new Tally('grpc-api');
      tallies.push(tally);
      const rng = new Rng(SEED ^ 0x5);
      const client = new Client(
        `127.0.0.1:${t.server.parley.grpcPort()}`,
        credentials.createInsecure(),
      );
      try {
        for (let start = 0; start < CASES; start += BATCH) {
          const targets = await freshTargets(t.server);
          const cases = Math.min(BATCH, CASES - start);
          const batch = Array.from({ length: cases }, () => apiCase(rng, targets));
          await runPool(cases, 8, async (i) => {
            tally.cases += 1;
            await runApiCase(client, batch[i]!, tally);
          });
          if (!(await healthy(tally))) break;
        }
      } finally {
        client.close();
      }
      expect(tally.summary()).toMatchObject({ cases: CASES, failed: 0 });
    },
  );

  it('config: random PARLEY_* settings and config files', { timeout }, () => {
    const tally = new Tally('config');
    tallies.push(tally);
    const rng = new Rng(SEED ^ 0x4);
    const scratch = configScratch();
    for (let i = 0; i < CASES; i += 1) {
      tally.cases += 1;
      runConfigCase(configCase(rng, scratch, i), tally);
    }
    expect(tally.summary()).toMatchObject({ cases: CASES, failed: 0 });
  });
});
