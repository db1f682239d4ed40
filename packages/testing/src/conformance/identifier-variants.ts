/**
 * Spellings of one identifier that a careless lookup treats as the same account while a careless lockout
 * counts them apart (Vault CVE-2025-6004): other case, surrounding whitespace, and compatibility forms that
 * Unicode NFKC folds back (fullwidth letters, digits and punctuation).
 */

export interface IdentifierVariant {
  /** How the spelling differs, for a failure message. */
  kind: string;
  value: string;
}

/** ASCII `!`..`~` → U+FF01..U+FF5E, which NFKC maps back. */
function fullwidth(s: string): string {
  return s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x21 + 0xff01));
}

function swapCase(s: string): string {
  return [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

/** Distinct spellings of `identifier` (never the identifier itself). */
export function identifierVariants(identifier: string): IdentifierVariant[] {
  const candidates: IdentifierVariant[] = [
    { kind: 'upper case', value: identifier.toUpperCase() },
    { kind: 'lower case', value: identifier.toLowerCase() },
    { kind: 'swapped case', value: swapCase(identifier) },
    { kind: 'leading space', value: ` ${identifier}` },
    { kind: 'trailing space', value: `${identifier} ` },
    { kind: 'surrounding tab and newline', value: `\t${identifier}\n` },
    { kind: 'fullwidth (NFKC folds it back)', value: fullwidth(identifier) },
    { kind: 'first character fullwidth (NFKC folds it back)', value: fullwidth(identifier.slice(0, 1)) + identifier.slice(1) },
    { kind: 'upper case and trailing space', value: `${identifier.toUpperCase()} ` },
  ];
  const seen = new Set([identifier]);
  return candidates.filter((v) => !seen.has(v.value) && seen.add(v.value));
}
