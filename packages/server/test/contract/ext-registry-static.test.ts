import { StaticExtRegistry } from '../../src/adapters/registry/registry-static.js';
import type { ExtInstance, ExtTypeConfig } from '../../src/domain/extension.js';
import { describeRegistryContract } from './ext-registry.contract.js';

describeRegistryContract('static', async () => {
  const instances = new Map<string, ExtInstance>();
  const configs: Record<string, ExtTypeConfig> = {};
  const registry = new StaticExtRegistry({ instances: [], configs: {} });
  const publish = () =>
    registry.replace({ instances: [...instances.values()], configs: { ...configs } });
  await registry.start();
  return {
    registry,
    put: async (i) => {
      instances.set(i.instanceId, i);
      publish();
    },
    remove: async (i) => {
      instances.delete(i.instanceId);
      publish();
    },
    putConfig: async (type, config) => {
      configs[type] = config;
      publish();
    },
    dispose: () => registry.close(),
  };
});
