// The checks a candidate path (leaf → … → configured CA) must pass. Run on each complete path the search finds,
// so a bad path (an expired cross-signed intermediate, say) does not hide a good one.
import type { ParsedCrl } from './crl.js';
import type { ParsedCertificate } from './parse-certificate.js';
import type { RefusalReason } from './reasons.js';

/** `chain[0]` is the leaf, `chain[chain.length - 1]` the configured CA. Returns the first failed check. */
export function checkPath(chain: readonly ParsedCertificate[], crls: readonly ParsedCrl[], now: Date): RefusalReason | undefined {
  const last = chain.length - 1;
  for (const [index, cert] of chain.entries()) {
    const role = index === 0 ? 'certificate' : index === last ? 'ca' : 'intermediate';
    if (now < cert.notBefore) return `${role}_not_yet_valid`;
    if (now > cert.notAfter) return `${role}_expired`;
  }
  for (const cert of chain) if (cert.unhandledCritical.length > 0) return 'unsupported_critical_extension';
  for (let index = 1; index <= last; index++) {
    const issuer = chain[index]!;
    if (!issuer.basicConstraints?.cA) return 'issuer_not_ca';
    if (issuer.keyUsage && !issuer.keyUsage.keyCertSign) return 'issuer_missing_key_cert_sign';
    // pathLen counts the CA certificates between this issuer and the leaf.
    const below = index - 1;
    if (issuer.basicConstraints.pathLen !== undefined && below > issuer.basicConstraints.pathLen) return 'path_len_exceeded';
  }
  for (let index = 0; index < last; index++) {
    const verdict = revocation(chain[index]!, chain[index + 1]!, crls, now);
    if (verdict === 'revoked') return index === 0 ? 'certificate_revoked' : 'intermediate_revoked';
    if (verdict === 'stale') return 'crl_expired';
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
