/** `--dpop-key <file>`: a PEM private key whose DPoP proofs go with the login, so the token is bound to it (RFC 9449). */
import { readFileSync } from 'node:fs';
import { loadDpopKey, type DpopKey } from '@gatehouse-auth/client';
import { usageError } from '../../errors.js';

export async function readDpopKey(file: string | undefined): Promise<DpopKey | undefined> {
  if (file === undefined) return undefined;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`--dpop-key ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return await loadDpopKey(pem);
  } catch (err) {
    // The client's messages name the problem (curve, format), never the key.
    throw usageError(`--dpop-key ${file}: ${(err as Error).message.replace(/^DPoP key: /, '')}`);
  }
}
