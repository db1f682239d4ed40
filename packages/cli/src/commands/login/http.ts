/**
 * The HTTP exchange of a CLI login: a JSON POST with a timeout and no redirects. Failures become one-line
 * errors carrying the server's public message (each dialect's shape), never the request we sent.
 */
import { createDpopProof, noteDpopNonce, type DpopKey } from '@gatehouse-auth/client';
import { fetch, type Dispatcher } from 'undici';
import { CliError } from '../../errors.js';

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** The public message of an error body in any of the three dialects. */
export function describeErrorBody(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const b = body as Record<string, unknown>;
  const errors = b.errors;
  if (Array.isArray(errors) && errors[0] && typeof errors[0] === 'object') {
    const e = errors[0] as Record<string, unknown>;
    return `${String(e.message ?? '')}${e.code ? ` [${String(e.code)}]` : ''}`;
  }
  const message = typeof b.message === 'string' ? b.message : '';
  const code = typeof b.code === 'string' ? ` [${b.code}]` : typeof b.error === 'string' ? ` [${b.error}]` : '';
  return `${message}${code}`;
}

export function networkError(url: URL, err: unknown): CliError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err as Error).name ?? 'error';
  if ((err as Error).name === 'TimeoutError') return new CliError(`${url.origin} did not answer in time`);
  return new CliError(`cannot reach ${url.origin} (${why})`);
}

/**
 * With `dpop`, the request carries a DPoP proof of that key (the token is bound to it), and a server that asks
 * for its nonce (`use_dpop_nonce`) gets one retry with it.
 */
export async function postJson(url: URL, body: unknown, opts: { dispatcher?: Dispatcher; timeoutMs?: number; dpop?: DpopKey } = {}): Promise<JsonResponse> {
  const send = async () =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(opts.dpop ? { dpop: await createDpopProof(opts.dpop, { method: 'POST', url }) } : {}),
      },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    });
  let res;
  try {
    res = await send();
    if (opts.dpop && noteDpopNonce(opts.dpop, url, res.status, res.headers)) {
      await res.body?.cancel();
      res = await send();
    }
  } catch (err) {
    throw networkError(url, err);
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers as unknown as Headers, body: parsed };
}

export function loginRefused(what: string, status: number, body: unknown): CliError {
  const detail = describeErrorBody(body);
  return new CliError(`${what} login refused: HTTP ${status}${detail ? `: ${detail}` : ''}`);
}
