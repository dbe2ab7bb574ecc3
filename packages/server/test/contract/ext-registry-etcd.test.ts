import { Etcd3 } from 'etcd3';
import { inject } from 'vitest';
import { EtcdExtRegistry } from '../../src/adapters/registry/registry-etcd.js';
import { describeRegistryContract } from './ext-registry.contract.js';

describeRegistryContract('etcd', async () => {
  const endpoint = inject('etcdEndpoint');
  const client = new Etcd3({ hosts: [endpoint] });
  // Other test files share this etcd: only the keys written here are removed.
  const written = new Set<string>();
  const registry = new EtcdExtRegistry({ endpoints: [endpoint] });
  await registry.start();
  return {
    registry,
    put: async (i) => {
      const key = `/parley/ext/services/${i.msgType}/${i.instanceId}`;
      written.add(key);
      await client.put(key).value(
        JSON.stringify({
          addr: i.addr,
          mode: i.mode,
          timeout_ms: i.timeoutMs,
          weight: i.weight,
          tags: i.tags,
        }),
      );
    },
    remove: async (i) => {
      await client.delete().key(`/parley/ext/services/${i.msgType}/${i.instanceId}`);
    },
    putConfig: async (type, config) => {
      written.add(`/parley/ext/config/${type}`);
      await client.put(`/parley/ext/config/${type}`).value(
        JSON.stringify({
          timeout_ms: config.timeoutMs,
          degrade: config.degrade,
          tags: config.tags,
        }),
      );
    },
    dispose: async () => {
      await registry.close();
      for (const key of written) await client.delete().key(key);
      client.close();
    },
  };
});
