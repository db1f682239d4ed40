// Path building (RFC 4158 in miniature): depth-first from the leaf through the presented intermediates to a
// configured CA, every link's signature checked by node:crypto. Bounded three ways, so a hostile chain of many
// same-named certificates cannot make it explode: path length, signature checks, and search steps.
import { checkPath, type PathFailure } from './check-path.js';
import type { ParsedCrl } from './crl.js';
import type { ParsedCertificate } from './parse-certificate.js';
import type { RefusalReason } from './reasons.js';

export interface PathLimits {
  /** Certificates in a path, leaf and CA included. */
  maxPathLength: number;
  maxSignatureChecks: number;
  /** Candidate issuers considered, over the whole search. */
  maxSteps: number;
}

export const DEFAULT_PATH_LIMITS: PathLimits = { maxPathLength: 8, maxSignatureChecks: 24, maxSteps: 128 };

export interface PathInput {
  leaf: ParsedCertificate;
  intermediates: readonly ParsedCertificate[];
  anchors: readonly ParsedCertificate[];
  crls: readonly ParsedCrl[];
  now: Date;
}

export type PathResult =
  | { ok: true; chain: ParsedCertificate[]; stats: PathStats }
  | { ok: false; reason: RefusalReason; detail?: string; stats: PathStats };

export interface PathStats {
  signatureChecks: number;
  steps: number;
}

interface Candidate {
  id: number;
  cert: ParsedCertificate;
  anchor: boolean;
}

class SearchExhausted extends Error {}

export function buildPath(input: PathInput, limits: PathLimits = DEFAULT_PATH_LIMITS): PathResult {
  // Configured CAs first: the shortest path wins, and a CA the client also sent is used as the anchor.
  const candidates: Candidate[] = [
    ...input.anchors.map((cert, id) => ({ id, cert, anchor: true })),
    ...input.intermediates.map((cert, i) => ({ id: input.anchors.length + i, cert, anchor: false })),
  ];
  const stats: PathStats = { signatureChecks: 0, steps: 0 };
  const signatures = new Map<string, boolean>();
  let policyFailure: PathFailure | undefined;
  let signatureFailure = false;
  let tooLong = false;

  const signedBy = (child: ParsedCertificate, childId: number, issuer: Candidate): boolean => {
    const key = `${childId}>${issuer.id}`;
    let verdict = signatures.get(key);
    if (verdict === undefined) {
      if (stats.signatureChecks >= limits.maxSignatureChecks) throw new SearchExhausted();
      stats.signatureChecks++;
      verdict = verifies(child, issuer.cert);
      signatures.set(key, verdict);
    }
    return verdict;
  };

  const search = (cert: ParsedCertificate, certId: number, path: Candidate[]): ParsedCertificate[] | undefined => {
    for (const issuer of candidates) {
      if (!issuer.cert.subjectDer.equals(cert.issuerDer)) continue;
      // Both key identifiers present and different: a same-named CA with another key (an impostor, or a rollover).
      if (cert.authorityKeyId && issuer.cert.subjectKeyId && cert.authorityKeyId !== issuer.cert.subjectKeyId) continue;
      if (path.some((p) => p.id === issuer.id)) continue; // no loops
      if (stats.steps >= limits.maxSteps) throw new SearchExhausted();
      stats.steps++;
      if (path.length + 2 > limits.maxPathLength) {
        tooLong = true;
        continue;
      }
      if (!signedBy(cert, certId, issuer)) {
        signatureFailure = true;
        continue;
      }
      const extended = [...path, issuer];
      if (issuer.anchor) {
        const chain = [input.leaf, ...extended.map((c) => c.cert)];
        const failure = checkPath(chain, input.crls, input.now);
        if (!failure) return chain;
        policyFailure ??= failure;
        continue;
      }
      const found = search(issuer.cert, issuer.id, extended);
      if (found) return found;
    }
    return undefined;
  };

  try {
    const chain = search(input.leaf, -1, []);
    if (chain) return { ok: true, chain, stats };
  } catch (err) {
    if (!(err instanceof SearchExhausted)) throw err;
    return policyFailure ? { ok: false, ...policyFailure, stats } : { ok: false, reason: 'path_search_exhausted', stats };
  }
  // The most informative failure: a complete path that failed a check, then a bad signature, then no issuer at all.
  if (policyFailure) return { ok: false, ...policyFailure, stats };
  const reason: RefusalReason = signatureFailure ? 'signature_invalid' : tooLong ? 'path_too_long' : 'unknown_ca';
  return { ok: false, reason, stats };
}

/** node:crypto throws rather than answering false for some key/algorithm mismatches. */
function verifies(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  try {
    return child.x509.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
