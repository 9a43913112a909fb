// hostkit/src/policy.js: a system's `sync_policy` (language.md, "Systems")
// turned into the kit's defaults. The compiler writes it into NAME.schema.json
// (`systems[].sync_policy` as [{key, value}]); the generated JS does not carry
// it, so an app passes the parsed schema JSON to policyFromSchema().
//
//   strategy         eager: send each change at once; lazy: gather changes and
//                    send them every `lazyIntervalMs`; on_demand: send only on
//                    connection.sync() (incoming changes are always applied)
//   max_peers        most peer connections (tabs, ports) a repo accepts at once
//   offline_storage  persistent: a Repo without a storage adapter is an error;
//                    anything else: memory is enough
//   conflict_resolution  recorded; CRDT merging is the only behaviour the
//                    generated modules have, so `manual` changes nothing here
export const DEFAULT_POLICY = Object.freeze({
  strategy: 'eager',
  maxPeers: 100,
  offlineStorage: 'persistent',
  conflictResolution: 'crdt',
  lazyIntervalMs: 1000,
});

const STRATEGIES = ['eager', 'lazy', 'on_demand'];

/**
 * The policy of `systemName` (or of the only system, or of the system that
 * holds gene `gene`) in a parsed NAME.schema.json. Unknown keys are kept
 * under `extra`; malformed values throw, naming the key.
 */
export function policyFromSchema(schema, { system: systemName, gene } = {}) {
  const systems = Array.isArray(schema?.systems) ? schema.systems : [];
  let sys;
  if (systemName) sys = systems.find((s) => s.name === systemName);
  else if (gene) sys = systems.find((s) => (s.genes ?? []).includes(gene) || (s.compiled_genes ?? []).includes(gene));
  else if (systems.length === 1) sys = systems[0];
  if (!sys) {
    if (systemName) throw new Error(`schema has no system ${systemName}`);
    return { ...DEFAULT_POLICY };
  }
  const policy = { ...DEFAULT_POLICY, system: sys.name, extra: {} };
  for (const { key, value } of sys.sync_policy ?? []) {
    const v = String(value).replace(/^"|"$/g, '');
    switch (key) {
      case 'strategy':
        if (!STRATEGIES.includes(v)) throw new Error(`sync_policy strategy "${v}" is not one of ${STRATEGIES.join(', ')}`);
        policy.strategy = v;
        break;
      case 'max_peers': {
        const n = Number(v);
        if (!Number.isSafeInteger(n) || n < 1) throw new Error(`sync_policy max_peers "${v}" is not a positive integer`);
        policy.maxPeers = n;
        break;
      }
      case 'offline_storage': policy.offlineStorage = v; break;
      case 'conflict_resolution': policy.conflictResolution = v; break;
      default: policy.extra[key] = v;
    }
  }
  return policy;
}
