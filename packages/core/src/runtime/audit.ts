/** What happened, for the audit log. Never carries secrets; `reasonCode` is internal detail. */
export interface AuditEvent {
  type:
    | 'login.succeeded'
    | 'login.failed'
    | 'login.challenged'
    | 'token.renewed'
    | 'token.revoked'
    | 'token.introspected'
    | 'endpoint.succeeded'
    | 'endpoint.failed'
    | 'admin.succeeded'
    | 'admin.failed';
  at: Date;
  requestId: string;
  /** Strategy or endpoint id. */
  endpoint: string;
  clientIp: string;
  subject?: string;
  /** Who called an authorized endpoint (an admin credential: its id and name, never its secret). */
  actor?: AuditActor;
  identityId?: string;
  reasonCode?: string;
  status: number;
  /** Extra safe detail a strategy adds (e.g. the matched ARN). */
  detail?: Record<string, unknown>;
}

/** The caller of an authorized endpoint, as audit events name it. */
export interface AuditActor {
  /** e.g. `admin_credential`. */
  type: string;
  id: string;
  name?: string;
}

export type AuditSink = (event: AuditEvent) => void | Promise<void>;
