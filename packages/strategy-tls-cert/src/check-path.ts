// The checks a candidate path (leaf → … → configured CA) must pass. Run on each complete path the search finds,
// so a bad path (an expired cross-signed intermediate, say) does not hide a good one.
import type { ParsedCrl } from './crl.js';
import { checkNames, type NameConstraints } from './name-constraints.js';
import type { ParsedCertificate } from './parse-certificate.js';
import type { RefusalReason } from './reasons.js';

export interface PathFailure {
  reason: RefusalReason;
  /** Safe detail for the log (e.g. the name outside a constraint); certificates are public. */
  detail?: string;
}

/** `chain[0]` is the leaf, `chain[chain.length - 1]` the configured CA. Returns the first failed check. */
export function checkPath(chain: readonly ParsedCertificate[], crls: readonly ParsedCrl[], now: Date): PathFailure | undefined {
  const last = chain.length - 1;
  for (const [index, cert] of chain.entries()) {
    const role = index === 0 ? 'certificate' : index === last ? 'ca' : 'intermediate';
    if (now < cert.notBefore) return { reason: `${role}_not_yet_valid` };
    if (now > cert.notAfter) return { reason: `${role}_expired` };
  }
  for (const cert of chain) if (cert.unhandledCritical.length > 0) return { reason: 'unsupported_critical_extension', detail: cert.unhandledCritical.join(',') };
  for (let index = 1; index <= last; index++) {
    const issuer = chain[index]!;
    if (!issuer.basicConstraints?.cA) return { reason: 'issuer_not_ca' };
    if (issuer.keyUsage && !issuer.keyUsage.keyCertSign) return { reason: 'issuer_missing_key_cert_sign' };
    // pathLen counts the CA certificates between this issuer and the leaf, self-issued ones excepted
    // (RFC 5280 §6.1.4 (l)–(m): a CA's own key-rollover certificates do not lengthen the path).
    const below = chain.slice(1, index).filter((cert) => !cert.selfIssued).length;
    if (issuer.basicConstraints.pathLen !== undefined && below > issuer.basicConstraints.pathLen) return { reason: 'path_len_exceeded' };
  }
  const names = checkNameConstraints(chain);
  if (names) return names;
  for (let index = 0; index < last; index++) {
    const verdict = revocation(chain[index]!, chain[index + 1]!, crls, now);
    if (verdict === 'revoked') return { reason: index === 0 ? 'certificate_revoked' : 'intermediate_revoked' };
    if (verdict === 'stale') return { reason: 'crl_expired' };
  }
  return undefined;
}

/**
 * Every certificate's names against the constraints of every CA above it, critical or not (RFC 5280 §6.1.3 (b),
 * (c)). Self-issued intermediates are exempt, as the RFC says; the leaf never is.
 */
function checkNameConstraints(chain: readonly ParsedCertificate[]): PathFailure | undefined {
  const budget = { checks: 0 };
  for (let index = chain.length - 2; index >= 0; index--) {
    const cert = chain[index]!;
    if (index > 0 && cert.selfIssued) continue;
    const above: NameConstraints[] = [];
    for (let j = index + 1; j < chain.length; j++) {
      const nc = chain[j]!.nameConstraints;
      if (nc) above.push(nc);
    }
    // Hostname-like CNs count as DNS names for the leaf only (as OpenSSL): a CA's CN is a label, not a host.
    const names = index === 0 ? cert.names : { ...cert.names, commonNameHosts: [] };
    const verdict = checkNames(names, above, budget);
    if (verdict) return { reason: verdict.failure, ...(verdict.name === undefined ? {} : { detail: verdict.name.slice(0, 256) }) };
  }
  return undefined;
}

/**
 * Consults only CRLs issued by this certificate's issuer (same name *and* signed by its key: a same-named CA's
 * CRL says nothing about this one). A CRL past its nextUpdate fails closed.
 */
function revocation(cert: ParsedCertificate, issuer: ParsedCertificate, crls: readonly ParsedCrl[], now: Date): 'revoked' | 'stale' | 'ok' {
  let stale = false;
  for (const crl of crls) {
    if (!crl.issuerDer.equals(issuer.subjectDer) || !crl.signedBy(issuer.publicKey)) continue;
    if (crl.revoked.has(cert.serial)) return 'revoked';
    if (crl.nextUpdate && now > crl.nextUpdate) stale = true;
  }
  return stale ? 'stale' : 'ok';
}
