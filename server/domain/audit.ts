// The audit log: what an organization's admins can read about policy changes and external
// contacts (docs/administration.md, Audit log). Written in the caller's transaction; never
// message contents.
import { randomBytes } from 'node:crypto';
import type { AuditDetails, AuditEventType } from '../../common/audit.ts';
import { tables, type Db } from '../store/index.ts';

export type AuditEvent = {
  /** The organization whose admins may read it (record twice for two organizations). */
  organizationId: string;
  type: AuditEventType;
  /** Who did it, with their name at the time; null for what the system did on its own. */
  actor: { id: string; name: string } | null;
  /** The person the event is about, when they have an account. */
  targetUserId?: string | null;
  /** A person's name or address, a domain, a setting's name. */
  target?: string | null;
  details?: AuditDetails | null;
  at: Date;
};

let lastMs = 0;
let sequence = 0;

/**
 * Ids sort in the order they were made (hex milliseconds, a counter, then randomness), so that
 * events recorded in the same millisecond (or under a test's frozen clock) still list newest
 * first and the `before` cursor is stable.
 */
export function auditEventId(): string {
  const ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    sequence = 0;
  } else {
    sequence++;
  }
  return `${lastMs.toString(16).padStart(12, '0')}${sequence.toString(16).padStart(6, '0')}${randomBytes(7).toString('hex')}`;
}

/** Records one event in the caller's transaction; returns its id. */
export async function recordAudit(tx: Db, event: AuditEvent): Promise<string> {
  const id = auditEventId();
  await tx.insert(tables.auditEvents).values({
    id,
    organizationId: event.organizationId,
    type: event.type,
    actorId: event.actor?.id ?? null,
    actorName: event.actor?.name ?? null,
    targetUserId: event.targetUserId ?? null,
    target: event.target ?? null,
    details: event.details ?? null,
    createdAt: event.at
  });
  return id;
}
