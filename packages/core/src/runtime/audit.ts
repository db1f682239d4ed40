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
    | 'endpoint.failed';
  at: Date;
  requestId: string;
  /** Strategy or endpoint id. */
  endpoint: string;
  clientIp: string;
  subject?: string;
  identityId?: string;
  reasonCode?: string;
  status: number;
  /** Extra safe detail a strategy adds (e.g. the matched ARN). */
  detail?: Record<string, unknown>;
}

export type AuditSink = (event: AuditEvent) => void | Promise<void>;
