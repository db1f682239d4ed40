/**
 * Ed25519 signatures for tokens (EdDSA, the default algorithm). OpenSSL 3 behind node:crypto spends ~27 µs per
 * signature on the CI machine kind and libsodium ~16 µs for the same bytes, on every login: when the optional
 * peer `sodium-native` is installed, libsodium signs; otherwise node:crypto does. Ed25519 signing is
 * deterministic (RFC 8032 §5.1.6), so both give the same signature for the same key and input (tested). Only
 * signing moves: verification stays on node:crypto, whose acceptance rules the verifier is written against.
 */
import { createPublicKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';

/** `auto`: libsodium when `sodium-native` loads, else node:crypto. `node:crypto`: always node:crypto. */
export type Ed25519Signer = 'auto' | 'node:crypto';

/** The part of sodium-native's API used here (identical in its 4.x and 5.x lines). */
interface Sodium {
  crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void;
  crypto_sign_seed_keypair(publicKey: Uint8Array, secretKey: Uint8Array, seed: Uint8Array): void;
  sodium_malloc(size: number): Buffer;
}

/** undefined: not tried yet; null: not installed, or it failed to load (an unsupported platform, say). */
let sodium: Sodium | null | undefined;

function loadSodium(): Sodium | null {
  if (sodium === undefined) {
    try {
      // Synchronous on purpose: signing is synchronous, and this runs once per process.
      sodium = createRequire(import.meta.url)('sodium-native') as Sodium;
    } catch {
      sodium = null;
    }
  }
  return sodium;
}

/** The library that signs under `signer` in this process. */
export function ed25519Library(signer: Ed25519Signer = 'auto'): 'libsodium' | 'node:crypto' {
  return signer === 'auto' && loadSodium() ? 'libsodium' : 'node:crypto';
}

// RFC 8410 encodings of an Ed25519 key: PKCS#8 is this prefix and the 32-byte seed, SPKI this one and the public key.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * libsodium's 64-byte secret key per KeyObject, in guarded, locked memory (`sodium_malloc`); null when the
 * KeyObject is not a plain Ed25519 private key libsodium derives the same public key from (node:crypto signs
 * then). Weakly held: a retired key's copy goes when its KeyObject does.
 */
const secretKeys = new WeakMap<KeyObject, Buffer | null>();

function secretKeyOf(lib: Sodium, key: KeyObject): Buffer | null {
  let secretKey = secretKeys.get(key);
  if (secretKey === undefined) {
    secretKey = deriveSecretKey(lib, key);
    secretKeys.set(key, secretKey);
  }
  return secretKey;
}

function deriveSecretKey(lib: Sodium, key: KeyObject): Buffer | null {
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') return null;
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  try {
    if (pkcs8.length !== PKCS8_PREFIX.length + 32 || !pkcs8.subarray(0, PKCS8_PREFIX.length).equals(PKCS8_PREFIX)) return null;
    const publicKey = Buffer.alloc(32);
    const secretKey = lib.sodium_malloc(64);
    lib.crypto_sign_seed_keypair(publicKey, secretKey, pkcs8.subarray(PKCS8_PREFIX.length));
    const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
    return spki.equals(Buffer.concat([SPKI_PREFIX, publicKey])) ? secretKey : null;
  } catch {
    return null; // libsodium could not take the key (no memory for a guarded buffer, say): node:crypto signs
  } finally {
    pkcs8.fill(0); // the seed's only copy outside OpenSSL and the guarded buffer
  }
}

/** The Ed25519 signature of `data` (64 bytes), by libsodium or node:crypto as `signer` says. */
export function signEd25519(key: KeyObject, data: Uint8Array, signer: Ed25519Signer = 'auto'): Buffer {
  const lib = signer === 'auto' ? loadSodium() : null;
  const secretKey = lib ? secretKeyOf(lib, key) : null;
  if (!lib || !secretKey) return cryptoSign(null, data, key);
  const signature = Buffer.allocUnsafe(64);
  lib.crypto_sign_detached(signature, data, secretKey);
  return signature;
}
