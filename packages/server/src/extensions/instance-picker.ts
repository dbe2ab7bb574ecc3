import type { ExtInstance } from '../domain/extension.js';

/**
 * Weighted random choice among usable instances; when the type's policy names tags, the
 * instances carrying all of them are preferred (a gray release routes to them), falling back
 * to the rest only when none is usable.
 */
export function pickInstance(
  instances: readonly ExtInstance[],
  preferredTags: Readonly<Record<string, string>>,
  usable: (instance: ExtInstance) => boolean,
  random: () => number = Math.random,
): ExtInstance | undefined {
  const candidates = instances.filter((i) => i.weight > 0 && usable(i));
  const wanted = Object.entries(preferredTags);
  const tagged =
    wanted.length === 0
      ? candidates
      : candidates.filter((i) => wanted.every(([k, v]) => i.tags[k] === v));
  const pool = tagged.length > 0 ? tagged : candidates;
  const total = pool.reduce((sum, i) => sum + i.weight, 0);
  if (total === 0) return undefined;
  let point = random() * total;
  for (const instance of pool) {
    point -= instance.weight;
    if (point < 0) return instance;
  }
  return pool[pool.length - 1];
}
