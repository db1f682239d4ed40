/**
 * `@gatehouse-auth/demo`: what `gatehouse serve` needs in demo mode — demo credentials kept per data
 * folder, the STS and OCI Identity emulators and an OpenID provider on loopback, idempotent seeding of demo
 * identities and users, and the start banner with a command for each login. The server loads this package
 * by name in demo mode only (it implements `DemoModule` of `@gatehouse-auth/server`); install it as a
 * development dependency, never in production.
 */
import type { DemoModule, DemoSession, PreparedDemo } from '@gatehouse-auth/server';
import { renderDemoBanner } from './banner.js';
import { demoOciHost, startDemoUpstreams, type DemoUpstreams } from './emulators.js';
import { loadOrCreateMaterials, writeDemoFiles, type DemoFiles, type DemoMaterials } from './materials.js';
import { seedDemo } from './seed.js';

/** A demo session with its details: the credentials, the files the printed commands read, the emulators. */
export interface DemoContext extends DemoSession {
  materials: DemoMaterials;
  files: DemoFiles;
  emulators: DemoUpstreams;
}

const made = new WeakSet<DemoSession>();

export const prepareDemo: DemoModule['prepareDemo'] = async ({ dataDir }): Promise<PreparedDemo> => {
  const { materials } = await loadOrCreateMaterials(dataDir);
  return {
    serverTls: { cert: materials.tls.serverCertPem, key: materials.tls.serverKeyPem, ca: materials.tls.caCertPem },
    async start({ idpRedirectUri }) {
      const files = writeDemoFiles(dataDir, materials);
      const emulators = await startDemoUpstreams(materials, { idpRedirectUri });
      const context: DemoContext = {
        materials,
        files,
        emulators,
        upstreams: {
          stsUrl: emulators.sts.url,
          ociRelay: { [demoOciHost(materials)]: emulators.oci.url },
          idp: emulators.idp,
        },
        notes: emulators.idp?.notes ?? [],
        introspectionSecret: materials.introspectionSecret!,
        seed: async (gatehouse, enabled) => ({ ...(await seedDemo(gatehouse, materials, enabled)) }),
        banner: (input) =>
          renderDemoBanner({
            ...input,
            files,
            materials,
            upstreams: { sts: emulators.sts.url, oci: emulators.oci.url, idp: emulators.idp?.issuer ?? null },
          }),
        close: () => emulators.close(),
      };
      made.add(context);
      return context;
    },
  };
};

/** The typed demo details of a running server's `demo` (null outside demo mode). */
export function demoContextOf(session: DemoSession | null): DemoContext | null {
  if (!session) return null;
  if (!made.has(session)) throw new TypeError('this demo session was not made by @gatehouse-auth/demo');
  return session as DemoContext;
}

export { demoFiles, loadOrCreateMaterials, writeDemoFiles } from './materials.js';
export type { DemoFiles, DemoMaterials } from './materials.js';
export { demoLoginCommands, renderDemoBanner, shellQuote } from './banner.js';
export type { BannerInput } from './banner.js';
export { startDemoUpstreams, demoOciHost } from './emulators.js';
export type { DemoUpstreams, DemoIdp } from './emulators.js';
export { seedDemo, demoMethodConfigs } from './seed.js';
export type { SeedReport } from './seed.js';
