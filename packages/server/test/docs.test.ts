/**
 * The docs cannot drift from the code: docs/configuration.md embeds exactly the reference generated from the
 * config schema, and every key has a description.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReferenceRows, renderConfigReference } from '../src/config/reference.js';

const doc = (name: string) => readFileSync(new URL(`../../../docs/${name}`, import.meta.url), 'utf8');

describe('docs', () => {
  it('docs/configuration.md embeds the generated reference (run `gatehouse config reference` after a schema change)', () => {
    expect(doc('configuration.md')).toContain(renderConfigReference());
  });

  it('every config key has a description', () => {
    const rows = configReferenceRows();
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.filter((r) => r.description.trim() === '').map((r) => r.key)).toEqual([]);
  });

  it('every config key a docs page names exists in the schema (no page points at a knob `serve` cannot set)', () => {
    const keys = new Set(configReferenceRows().map((r) => r.key));
    // The token store port's methods, as docs/stores.md names them (`tokens.useSession`), are not config.
    const portMethods = /^tokens\.(?:useSession|consumeRefreshToken|revokeSession|revokeSubject|revokeSubjectMethod|createSession|extendSession|getSession)$/;
    // OpenTelemetry attribute names (docs/operations.md) are not config either.
    const otelAttributes = /^server\.address$/;
    const named = new Set<string>();
    for (const file of docPages()) {
      for (const m of doc(file).matchAll(/`((?:server|store|tokens|log|telemetry|strategies|demo)\.[A-Za-z0-9_.<>-]+)`/g)) {
        if (!/\.(?:m?js|ts|md|json|ya?ml)$/.test(m[1]!) && !portMethods.test(m[1]!) && !otelAttributes.test(m[1]!)) named.add(m[1]!.replace('<ID>', '<id>'));
      }
    }
    expect(named.size).toBeGreaterThan(40);
    expect([...named].filter((k) => !keys.has(k))).toEqual([]);
  });

  it('the library knobs the deployment and store pages tell operators to tune are config keys, and those pages name them', () => {
    // Library option (as docs/stores.md and docs/deployment.md name it) → the config key that sets it for `serve`.
    const knobs: Record<string, string> = {
      'poolConfig: { max }': 'store.poolSize',
      connectionTimeoutMs: 'store.connectionTimeoutMs',
      statementTimeoutMs: 'store.statementTimeoutMs',
      schema: 'store.schema',
      rotateAfterSeconds: 'tokens.rotateAfterSeconds',
      overlapSeconds: 'tokens.overlapSeconds',
      keyRefreshSeconds: 'tokens.keyRefreshSeconds',
      keyPropagationSeconds: 'tokens.keyPropagationSeconds',
      trustProxy: 'server.trustProxy',
      trustedProxies: 'strategies.tlsCert.trustedProxies',
      relayOverride: 'strategies.oci.relayOverride',
      stsEndpoints: 'strategies.alicloud.stsEndpoints',
      allowInsecureHttpForTesting: 'strategies.idpMfa.idps.<id>.allowInsecureHttpForTesting',
    };
    const keys = new Set(configReferenceRows().map((r) => r.key));
    expect(Object.values(knobs).filter((k) => !keys.has(k))).toEqual([]);
    const pages = doc('deployment.md') + doc('stores.md');
    for (const [option, key] of Object.entries(knobs)) {
      if (pages.includes(`\`${option}\``)) expect(pages, `${option} is named; so must ${key} be`).toContain(`\`${key}\``);
    }
  });
});

function docPages(dir = '', out: string[] = []): string[] {
  for (const entry of readdirSync(new URL(`../../../docs/${dir}`, import.meta.url), { withFileTypes: true })) {
    if (entry.isDirectory()) docPages(`${dir}${entry.name}/`, out);
    else if (entry.name.endsWith('.md')) out.push(`${dir}${entry.name}`);
  }
  return out;
}
