/** The ExtRegistry contract, run against the static (config file) and etcd adapters. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExtInstance, ExtTypeConfig } from '../../src/domain/extension.js';
import type { ExtRegistry } from '../../src/ports/extensions.js';

export interface RegistryHarness {
  readonly registry: ExtRegistry;
  put(instance: ExtInstance): Promise<void>;
  remove(instance: ExtInstance): Promise<void>;
  putConfig(msgType: string, config: ExtTypeConfig): Promise<void>;
  dispose(): Promise<void>;
}

async function eventually(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('not reflected within 2 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let serial = 0;
// Types unique to this run: other test files may share the registry's backend.
const run = `${process.pid}${Date.now().toString(36)}`;
const instance = (msgType: string, weight = 1): ExtInstance => ({
  msgType: `${msgType}.${run}`,
  instanceId: `i${serial++}`,
  addr: `127.0.0.1:${7000 + serial}`,
  mode: 'sync',
  timeoutMs: 80,
  weight,
  tags: { version: 'v1' },
});

export function describeRegistryContract(
  name: string,
  makeHarness: () => Promise<RegistryHarness>,
) {
  describe(`ExtRegistry contract: ${name}`, () => {
    let h: RegistryHarness;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('reflects instances registered and removed within 2 s, and tells listeners', async () => {
      let changes = 0;
      h.registry.onChange(() => changes++);
      const a = instance('t.one');
      const b = instance('t.one', 3);
      const type = a.msgType;
      await h.put(a);
      await h.put(b);
      await eventually(() => h.registry.instances(type).length === 2);
      expect(h.registry.instances(type).find((i) => i.instanceId === b.instanceId)).toEqual(b);
      const mine = h.registry.all().filter((i) => i.msgType === type);
      expect(mine.map((i) => i.instanceId).sort()).toEqual([a.instanceId, b.instanceId].sort());
      await h.remove(a);
      await eventually(() => h.registry.instances(type).length === 1);
      expect(h.registry.instances(type)[0]?.instanceId).toBe(b.instanceId);
      expect(h.registry.instances(`t.other.${run}`)).toEqual([]);
      expect(changes).toBeGreaterThan(0);
    });

    it('reflects per-type policy', async () => {
      const type = `t.two.${run}`;
      expect(h.registry.config(type)).toBeUndefined();
      await h.putConfig(type, { timeoutMs: 30, degrade: 'passthrough', tags: { version: 'v2' } });
      await eventually(() => h.registry.config(type) !== undefined);
      expect(h.registry.config(type)).toEqual({
        timeoutMs: 30,
        degrade: 'passthrough',
        tags: { version: 'v2' },
      });
    });
  });
}
