import type { IPv6 } from 'ipaddr.js';
import { ipAllowed, normalisedAddress, parseAddress } from '../tokens/settings.js';
import type { HeaderValue } from '../contract/http.js';

/**
 * `false` (default): the socket address is the client. `true`: trust every hop (only behind a proxy you
 * control that overwrites the header). `string[]`: CIDRs of trusted proxies. `number`: trust N hops.
 */
export type TrustProxy = boolean | string[] | number;

/** The client address, walking `X-Forwarded-For` right to left only through trusted proxies. */
export function resolveClientIp(socketAddress: string, forwardedFor: HeaderValue, trust: TrustProxy): string {
  const socket = normalise(socketAddress);
  if (trust === false || trust === 0 || !forwardedFor) return socket;
  const raw = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const hops = raw
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)
    .slice(-32); // bound work on a hostile header
  let client = socket;
  let trustedHops = 0;
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isTrusted(client, trust, trustedHops)) break;
    const hop = parseAddress(hops[i]!);
    if (!hop) break; // garbage stops the walk: never let it become the client address
    client = hop.toString();
    trustedHops++;
  }
  return client;
}

/**
 * The scheme the client used: the socket's, or — when the connection comes from a trusted proxy that
 * terminated TLS — what that proxy says in `X-Forwarded-Proto`. Only the nearest proxy's value (the last
 * one) counts: it is the one we trust, and a chain that was plain http anywhere is not https.
 */
export function resolveProtocol(socketProtocol: 'http' | 'https', socketAddress: string, forwardedProto: HeaderValue, trust: TrustProxy): 'http' | 'https' {
  if (socketProtocol === 'https' || !forwardedProto || !isTrustedProxy(socketAddress, trust)) return socketProtocol;
  const raw = Array.isArray(forwardedProto) ? forwardedProto.join(',') : forwardedProto;
  const nearest = raw.slice(-256).split(',').pop()?.trim().toLowerCase();
  return nearest === 'https' ? 'https' : socketProtocol;
}

/**
 * The unit a throttle counts per "client address": an IPv4 address, or the /64 of an IPv6 one (one host
 * usually holds a whole /64, so per-address counting of IPv6 would be no limit at all).
 */
export function throttleKeyOf(address: string): string {
  const parsed = parseAddress(address);
  if (!parsed) return address.slice(0, 64);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}

/** True when `address` is a trusted proxy (used by strategies that honour proxy headers, e.g. tls-cert). */
export function isTrustedProxy(address: string, trust: TrustProxy): boolean {
  return isTrusted(normalise(address), trust, 0);
}

function isTrusted(address: string, trust: TrustProxy, hopsSoFar: number): boolean {
  if (trust === true) return true;
  if (typeof trust === 'number') return hopsSoFar < trust;
  if (Array.isArray(trust)) return ipAllowed(address, trust);
  return false;
}

function normalise(address: string): string {
  return normalisedAddress(address) ?? address;
}
