/**
 * Client side of Gatehouse's alicloud login: sign an STS GetCallerIdentity request with Alibaba Cloud
 * credentials (Alibaba's RPC signature, `alicloud-signature.ts`, held to Alibaba's own code by the tests), and
 * post the signed parameters, never the secret, to `POST /api/v1/auth/alicloud-auth/login`.
 */
import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { alibabaRpcSignature } from './alicloud-signature.js';
import type { DpopKey } from './dpop.js';
import { GatehouseLoginError, postTokenLogin, type GatehouseTokenResponse } from './token-login.js';

export const ALICLOUD_LOGIN_PATH = '/api/v1/auth/alicloud-auth/login';

export interface AlicloudCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** With STS temporary credentials (`STS.` key ids). */
  securityToken?: string;
}

export interface BuildAlicloudLoginBodyOptions extends AlicloudCredentials {
  identityId: string;
  organizationSlug?: string;
  /** Signing time. Default: now. */
  now?: Date;
  /** SignatureNonce. Default: a random UUID. Never reuse one. */
  nonce?: string;
}

/** The login body: seed 000's fields, plus `SecurityToken` for temporary credentials. */
export interface AlicloudLoginBody {
  identityId: string;
  Action: 'GetCallerIdentity';
  Format: 'JSON';
  Version: '2015-04-01';
  AccessKeyId: string;
  SignatureMethod: 'HMAC-SHA1';
  Timestamp: string;
  SignatureVersion: '1.0';
  SignatureNonce: string;
  Signature: string;
  SecurityToken?: string;
  organizationSlug?: string;
}


/** `YYYY-MM-DDTHH:mm:ssZ`, the format Alibaba's RPC signature expects. */
export function alibabaTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Signs GetCallerIdentity as a GET (the request Gatehouse forwards to STS) and returns the login body. */
export function buildAlicloudLoginBody(options: BuildAlicloudLoginBodyOptions): AlicloudLoginBody {
  const signed: Record<string, string> = {
    Action: 'GetCallerIdentity',
    Format: 'JSON',
    Version: '2015-04-01',
    AccessKeyId: options.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    Timestamp: alibabaTimestamp(options.now ?? new Date()),
    SignatureVersion: '1.0',
    SignatureNonce: options.nonce ?? randomUUID(),
  };
  if (options.securityToken) signed.SecurityToken = options.securityToken;
  const Signature = alibabaRpcSignature(signed, 'GET', options.accessKeySecret);
  const body = { identityId: options.identityId, ...signed, Signature } as AlicloudLoginBody;
  if (options.organizationSlug !== undefined) body.organizationSlug = options.organizationSlug;
  return body;
}

/** Thrown when Gatehouse refuses the login; `body` is the server's error body (`{reqId, statusCode, message, error}`). */
export class AlicloudLoginError extends GatehouseLoginError {
  override name = 'AlicloudLoginError';
  constructor(status: number, body: unknown) {
    super(status, body, 'alicloud login');
  }
}

export interface LoginWithAlicloudOptions extends BuildAlicloudLoginBodyOptions {
  /** Gatehouse's base URL, e.g. `https://auth.example.com`. */
  baseUrl: string | URL;
  /** An undici dispatcher (custom CA, proxy, keep-alive pool). */
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  /** Prove this DPoP key: the token is bound to it (RFC 9449) and needs its proofs wherever it is used. */
  dpop?: DpopKey;
}

/** Builds the signed body, posts it, and returns the token response; throws `AlicloudLoginError` otherwise. */
export async function loginWithAlicloud(options: LoginWithAlicloudOptions): Promise<GatehouseTokenResponse> {
  const { baseUrl, dispatcher, signal, dpop, ...creds } = options;
  const body = buildAlicloudLoginBody(creds);
  return postTokenLogin(new URL(ALICLOUD_LOGIN_PATH, baseUrl), body, { dispatcher, signal, dpop }, (status, b) => new AlicloudLoginError(status, b));
}
