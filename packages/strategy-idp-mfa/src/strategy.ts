/**
 * `POST /v1/auth/login` (Bytebase, seed 004): email + password or an IdP code as the first factor, then
 * TOTP or a recovery code when the user has MFA. Plus the refresh and MFA enrolment endpoints.
 */
import { AuthError, defineStrategy, type Outcome, type Strategy, type StrategyContext, type OutboundHttp, type Clock } from '@gatehouse-auth/core';
import { strategyOptionsSchema, type IdpMfaOptions, type IdpMfaOptionsInput } from './options.js';
import { loginRequestSchema, loginResponseSchema, type LoginRequest } from './schemas.js';
import { PasswordLogin } from './login/password.js';
import { IdpLogin } from './login/idp.js';
import { verifyMfaStep } from './login/mfa-step.js';
import { proofFrom, type SecondFactorProof } from './mfa/second-factor.js';
import { issueMfaTempToken } from './mfa/temp-token.js';
import { enrolmentEndpoints } from './mfa/enrolment-endpoints.js';
import { completeLogin, type SessionPolicy } from './session/complete-login.js';
import { refreshEndpoint } from './session/refresh-endpoint.js';

export const LOGIN_PATH = '/v1/auth/login';
export const STRATEGY_ID = 'idp-mfa';

export interface IdpMfaStrategy extends Strategy<LoginRequest> {
  /** The validated options (defaults applied). */
  readonly options: IdpMfaOptions;
  /** Authorization URL for the frontend to start an IdP login (`state` is yours to check on return). */
  authorizationUrl(idpId: string, params: { state: string; http: OutboundHttp; clock?: Clock }): Promise<URL>;
}

type Step =
  | { kind: 'mfa'; mfaTempToken: string; proof: SecondFactorProof }
  | { kind: 'password'; email: string; password: string }
  | { kind: 'idp'; idpName: string };

const badRequest = (reasonCode: string, message: string, fields: string[]) =>
  new AuthError({ kind: 'bad_request', reasonCode, message, fields });

/** Which step the body asks for; mixing steps is refused with the offending fields named. */
function stepOf(input: LoginRequest): Step {
  if (input.mfaTempToken !== undefined) {
    const mixed = (['password', 'idpName', 'idpContext'] as const).filter((f) => input[f] !== undefined);
    if (mixed.length) throw badRequest('mfa_step_mixed', 'The MFA step takes only mfaTempToken with otpCode or recoveryCode', [...mixed]);
    const proof = proofFrom(input);
    if (!proof) throw badRequest('mfa_code_required', 'Send exactly one of otpCode or recoveryCode with mfaTempToken', ['otpCode', 'recoveryCode']);
    return { kind: 'mfa', mfaTempToken: input.mfaTempToken, proof };
  }
  if (input.otpCode !== undefined || input.recoveryCode !== undefined) {
    throw badRequest('mfa_temp_token_required', 'otpCode and recoveryCode need the mfaTempToken of a first step', ['mfaTempToken']);
  }
  if (input.idpName !== undefined) {
    if (input.password !== undefined) throw badRequest('idp_with_password', 'Send either a password or an idpName, not both', ['password']);
    return { kind: 'idp', idpName: input.idpName };
  }
  if (input.idpContext !== undefined) throw badRequest('idp_name_required', 'idpContext needs idpName', ['idpName']);
  const missing = (['email', 'password'] as const).filter((f) => input[f] === undefined);
  if (missing.length) throw badRequest('credentials_required', 'email and password are required', [...missing]);
  return { kind: 'password', email: input.email!, password: input.password! };
}

export function idpMfaStrategy(input: IdpMfaOptionsInput = {}): IdpMfaStrategy {
  const options = strategyOptionsSchema.parse(input);
  const passwords = new PasswordLogin(options.password);
  const idps = new IdpLogin(options.idps);
  const session: SessionPolicy = {
    token: options.token,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds,
    passwordRotationDays: options.passwordRotationDays,
    secureCookies: options.cookies.secure,
  };
  const tempPolicy = { ttlSeconds: options.mfa.tempTokenTtlSeconds, maxAttempts: options.mfa.maxAttemptsPerTempToken };

  async function authenticate(body: LoginRequest, ctx: StrategyContext): Promise<Outcome> {
    const step = stepOf(body);
    const web = body.web === true;
    if (step.kind === 'mfa') {
      const done = await verifyMfaStep(ctx, { mfaTempToken: step.mfaTempToken, proof: step.proof, email: body.email }, options.mfa);
      return completeLogin(ctx, { user: done.user, method: done.method, secondFactor: done.secondFactor, web }, session);
    }
    const first =
      step.kind === 'password'
        ? { user: await passwords.verify(ctx, step.email, step.password), method: 'password' }
        : await idps.verify(ctx, step.idpName, body.idpContext);
    if (first.user.mfa.enabled) {
      const mfaTempToken = await issueMfaTempToken(ctx, { userId: first.user.id, method: first.method }, tempPolicy);
      return { kind: 'challenge', body: { mfaTempToken }, audit: { method: first.method, mfa: 'required' } };
    }
    return completeLogin(ctx, { user: first.user, method: first.method, secondFactor: null, web }, session);
  }

  const strategy = defineStrategy<LoginRequest>({
    id: STRATEGY_ID,
    route: { method: 'POST', path: LOGIN_PATH },
    dialect: 'bytebase',
    requestSchema: loginRequestSchema,
    responseSchema: loginResponseSchema,
    authenticate,
    endpoints: [refreshEndpoint(STRATEGY_ID, session), ...enrolmentEndpoints(STRATEGY_ID, options.mfa)] as Strategy['endpoints'],
    openapi: {
      summary: 'Log in with email and password or an identity provider, then MFA',
      description:
        'First step: email + password, or idpName with idpContext. A user with MFA gets only {mfaTempToken}; the second call sends it with otpCode or recoveryCode. With web: true the tokens are set as cookies and left out of the body.',
      tags: ['Auth'],
      operationId: 'login',
    },
  });

  return Object.assign(strategy, {
    options,
    authorizationUrl: (idpId: string, params: { state: string; http: OutboundHttp; clock?: Clock }) => idps.authorizationUrl(idpId, params),
  });
}
