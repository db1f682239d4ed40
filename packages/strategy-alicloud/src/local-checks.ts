/**
 * Checks made before any network call, against Gatehouse's own clock and replay store, so a stale or
 * replayed request never reaches STS (and cannot be used to make Gatehouse hammer STS).
 */
import { AuthError, type StrategyContext } from '@gatehouse-auth/core';

export const NONCE_NAMESPACE = 'alicloud-nonce';

/** Throws 401 unless `timestamp` is within `skewSeconds` of now, either way (boundaries included). */
export function checkTimestampWindow(timestamp: Date, now: Date, skewSeconds: number): void {
  const deltaMs = timestamp.getTime() - now.getTime();
  if (deltaMs < -skewSeconds * 1000) {
    throw new AuthError({ kind: 'unauthenticated', reasonCode: 'timestamp_stale', message: 'The request Timestamp is too old; sign a fresh request' });
  }
  if (deltaMs > skewSeconds * 1000) {
    throw new AuthError({ kind: 'unauthenticated', reasonCode: 'timestamp_in_future', message: 'The request Timestamp is in the future; check the client clock' });
  }
}

/**
 * Claims the nonce atomically in the replay store. It is kept until the Timestamp leaves the window: after
 * that the Timestamp check refuses the request anyway, so the store stays bounded by the window.
 */
export async function claimNonce(
  ctx: StrategyContext,
  accessKeyId: string,
  nonce: string,
  timestamp: Date,
  skewSeconds: number,
): Promise<void> {
  const expiresAt = new Date(timestamp.getTime() + (skewSeconds + 1) * 1000);
  const fresh = await ctx.stores.replay.claim(NONCE_NAMESPACE, `${accessKeyId}:${nonce}`, expiresAt, ctx.clock.now());
  if (!fresh) {
    throw new AuthError({ kind: 'unauthenticated', reasonCode: 'nonce_replayed', message: 'This SignatureNonce was already used; sign a fresh request' });
  }
}
