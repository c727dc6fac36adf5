// The audit log's vocabulary, shared by the server that writes and serves it and the admin page
// that filters and shows it (docs/administration.md, Audit log).

export const AUDIT_EVENT_TYPES = [
  'settings.changed',
  'member.role_changed',
  'member.policy_changed',
  'member.removed',
  'blocked.domain_added',
  'blocked.domain_removed',
  'blocked.address_added',
  'blocked.address_removed',
  'invitation.sent',
  'invitation.resent',
  'invitation.revoked',
  'request.accepted',
  'request.declined',
  'request.blocked',
  'request.cap_reached'
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Scalars only: details say what changed (`from`, `to`, a setting's name), never a message. */
export type AuditDetails = Record<string, string | number | boolean | null>;
