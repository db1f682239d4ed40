/**
 * What the server needs from a demo-mode package. The server never depends on one: `@gatehouse-auth/demo`
 * implements this and is loaded by `serve` only when the config says `mode: demo` and only when it is
 * installed, so a production install carries no emulator, OpenID provider or certificate factory.
 */
import type { Gatehouse } from '@gatehouse-auth/core';

/** Upstreams of the strategies in demo mode (the emulators on loopback). */
export interface DemoUpstreamUrls {
  stsUrl: string;
  /** Real OCI identity host → emulator origin. */
  ociRelay: Record<string, string>;
  idp: { issuer: string; clientId: string; clientSecret: string; redirectUri: string } | null;
}

export interface DemoBannerInput {
  httpUrl: string;
  httpsUrl: string | null;
  /** The Prometheus scrape URL (demo mode serves it on the main listener). */
  metricsUrl?: string | null;
  dataDir: string;
  enabled: ReadonlySet<string>;
  /** How to run the CLI, e.g. `npx gatehouse`. */
  cli: string;
  /** Extra lines (the login page, say). */
  extra: string[];
  /** The admin API is served (demo mode's default): the banner shows the demo admin token. */
  adminApi?: boolean;
}

/** A demo session: running emulators, the seeding and the banner. */
export interface DemoSession {
  upstreams: DemoUpstreamUrls;
  /** The introspection secret of demo mode, unless the config names one. */
  introspectionSecret: string;
  /** Lines worth one log entry (e.g. what the OpenID provider warned about). */
  notes: string[];
  seed(gatehouse: Gatehouse, enabled: ReadonlySet<string>): Promise<Record<string, number>>;
  banner(input: DemoBannerInput): string;
  close(): Promise<void>;
}

/** Demo credentials loaded (or made) for a data folder, before any listener exists. */
export interface PreparedDemo {
  /** Server certificate for the mTLS listener (PEM), issued by the demo CA. */
  serverTls: { cert: string; key: string; ca: string };
  /** Starts the emulators; `idpRedirectUri` null means no OpenID provider. */
  start(input: { idpRedirectUri: string | null }): Promise<DemoSession>;
}

export interface DemoModule {
  prepareDemo(input: { dataDir: string }): Promise<PreparedDemo>;
}
