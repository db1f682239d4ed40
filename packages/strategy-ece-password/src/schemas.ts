/** The seed's request and response bodies, with the size caps and the redirect rule. */
import { z } from 'zod';
import { MAX_PASSWORD_BYTES, MAX_USERNAME_LENGTH, normaliseUsername } from '@gatehouse-auth/core/password';
import { MAX_LOGIN_STATE_BYTES, MAX_LOGIN_STATE_DEPTH, loginStateProblem } from './login-state.js';
import { MAX_REDIRECT_PATH_LENGTH, REDIRECT_PATH_MESSAGES, redirectPathProblem } from './redirect-path.js';

const usernameSchema = z
  .string()
  .min(1)
  .max(MAX_USERNAME_LENGTH)
  .superRefine((value, ctx) => {
    const normalised = normaliseUsername(value);
    // NFKC can lengthen a string (one ligature becomes many letters): the cap holds on the stored form too.
    if (normalised.length === 0) ctx.addIssue({ code: 'custom', message: 'must not be blank' });
    else if (normalised.length > MAX_USERNAME_LENGTH) ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_USERNAME_LENGTH} characters once normalised` });
  })
  .describe('The username part of the login request');

const passwordSchema = z
  .string()
  .min(1)
  .max(MAX_PASSWORD_BYTES)
  .refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_PASSWORD_BYTES, { message: `must be at most ${MAX_PASSWORD_BYTES} bytes` })
  .describe('The plain text password part of the login request');

export const redirectPathSchema = z
  .string()
  .max(MAX_REDIRECT_PATH_LENGTH)
  .superRefine((value, ctx) => {
    const problem = redirectPathProblem(value);
    if (problem && problem !== 'too_long') ctx.addIssue({ code: 'custom', message: REDIRECT_PATH_MESSAGES[problem], params: { reason: problem } });
  })
  .describe('The path to which to redirect post login - if not specified then no redirect is performed, instead 200 is returned with the token in the body. Same-origin relative paths only.');

export const loginStateSchema = z
  .looseObject({ path: redirectPathSchema.optional() })
  .superRefine((state, ctx) => {
    // A bad path is already reported under `login_state.path`; don't add a second, vaguer issue.
    if (state.path !== undefined && (typeof state.path !== 'string' || redirectPathProblem(state.path))) return;
    const problem = loginStateProblem(state);
    if (problem === 'too_deep') ctx.addIssue({ code: 'custom', message: `must be nested at most ${MAX_LOGIN_STATE_DEPTH} levels deep` });
    else if (problem === 'too_large') ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_LOGIN_STATE_BYTES} bytes as JSON` });
  })
  .describe('Configure how the API responds after a successful login. Additional properties are allowed.');

export const eceLoginRequestSchema = z
  .strictObject({
    username: usernameSchema,
    password: passwordSchema,
    login_state: loginStateSchema.optional(),
  })
  .describe('The login request');

export type EceLoginRequest = z.output<typeof eceLoginRequestSchema>;

export const eceLoginResponseSchema = z
  .object({
    token: z.string().describe('The authorization bearer token that you use in subsequent requests'),
    session_expiration_time: z.iso.datetime({ offset: true }).describe('The time that the session token will expire'),
  })
  .describe("Login successful, returns the token in the body (if 'login_state.path' not specified)");

export type EceLoginResponse = z.output<typeof eceLoginResponseSchema>;
