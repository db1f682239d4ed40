/** The JSON OCI Identity returns for `GET /20160918/users/{userId}` (the `User` model), and its error bodies. */

export type OciLifecycleState = 'CREATING' | 'ACTIVE' | 'INACTIVE' | 'DELETING' | 'DELETED';

export interface OciUserRecordInput {
  id: string;
  tenancyId: string;
  name: string;
  lifecycleState?: OciLifecycleState;
  email?: string | null;
  description?: string;
  isMfaActivated?: boolean;
  timeCreated?: Date;
}

export function ociUserRecord(user: OciUserRecordInput): Record<string, unknown> {
  return {
    id: user.id,
    // A user always lives in the tenancy (root compartment).
    compartmentId: user.tenancyId,
    name: user.name,
    description: user.description ?? user.name,
    email: user.email ?? null,
    emailVerified: Boolean(user.email),
    dbUserName: null,
    identityProviderId: null,
    externalIdentifier: null,
    timeCreated: (user.timeCreated ?? new Date('2024-01-15T10:00:00.000Z')).toISOString(),
    lifecycleState: user.lifecycleState ?? 'ACTIVE',
    inactiveStatus: user.lifecycleState === 'INACTIVE' ? 4 : null,
    freeformTags: {},
    definedTags: {},
    capabilities: {
      canUseConsolePassword: true,
      canUseApiKeys: true,
      canUseAuthTokens: true,
      canUseSmtpCredentials: true,
      canUseDbCredentials: true,
      canUseCustomerSecretKeys: true,
      canUseOAuth2ClientCredentials: true,
    },
    lastSuccessfulLoginTime: null,
    previousSuccessfulLoginTime: null,
    isMfaActivated: user.isMfaActivated ?? false,
  };
}

/** OCI's error body shape: `{ code, message }`. */
export const OCI_ERRORS = {
  notAuthenticated: {
    status: 401,
    body: { code: 'NotAuthenticated', message: 'The required information to complete authentication was not provided or was incorrect.' },
  },
  notFound: {
    status: 404,
    body: { code: 'NotAuthorizedOrNotFound', message: 'Authorization failed or requested resource not found.' },
  },
  internal: { status: 500, body: { code: 'InternalServerError', message: 'Internal error occurred' } },
} as const;
