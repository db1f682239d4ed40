/** Raised at start for configuration the stores refuse to run with (missing/weak key, schema too new). */
export class StoreConfigError extends Error {
  override readonly name = 'StoreConfigError';
}
