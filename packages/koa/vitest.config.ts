import shared from '../../vitest.shared.ts';

// Vitest hands `ssr.resolve.conditions` to Node as `--conditions`, and Node then applies `import` to
// `require()` too: Express's router would load is-promise's ESM build through require and break. Keep only
// the conditions Node needs for the sibling packages' sources.
export default { ...shared, ssr: { ...shared.ssr, resolve: { conditions: ['gatehouse-source', 'node'], externalConditions: ['gatehouse-source', 'node'] } } };
