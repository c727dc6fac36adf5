// Reading an organization's audit log: newest first, filtered, paged by event id, and exported
// as CSV that spreadsheets open safely.
import { and, desc, eq, gte, lt, or, type SQL } from 'drizzle-orm';
import { tables, type Db } from '../../store/index.ts';
import { DomainError } from '../errors.ts';
import type { AuditDetails, AuditEventType } from '../../../common/audit.ts';
import { sanitizeDisplayName } from '../names.ts';

export const AUDIT_DEFAULT_LIMIT = 50;
export const AUDIT_MAX_LIMIT = 200;
/** A CSV export holds at most this many events (the newest). */
export const AUDIT_CSV_MAX_ROWS = 10_000;

export type AuditFilter = {
  type?: AuditEventType;
  /** A user id: events they did or that are about them. */
  person?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** An event id: only older events. */
  before?: string;
};

export type AuditEntry = {
  id: string;
  type: string;
  at: string;
  actor: { id: string | null; name: string } | null;
  target: string | null;
  targetUserId: string | null;
  details: AuditDetails | null;
};

export async function listAudit(
  db: Db,
  organizationId: string,
  filter: AuditFilter,
  limit: number
): Promise<{ events: AuditEntry[]; hasMore: boolean }> {
  const { auditEvents: a } = tables;
  const conditions: (SQL | undefined)[] = [eq(a.organizationId, organizationId)];
  if (filter.type) conditions.push(eq(a.type, filter.type));
  if (filter.person) {
    conditions.push(or(eq(a.actorId, filter.person), eq(a.targetUserId, filter.person)));
  }
  if (filter.from) conditions.push(gte(a.createdAt, filter.from));
  if (filter.to) conditions.push(lt(a.createdAt, filter.to));
  if (filter.before !== undefined) {
    const [cursor] = await db
      .select({ at: a.createdAt })
      .from(a)
      .where(and(eq(a.organizationId, organizationId), eq(a.id, filter.before)))
      .limit(1);
    if (!cursor) {
      throw new DomainError('invalid_cursor', 'This page of the audit log no longer exists.');
    }
    conditions.push(
      or(lt(a.createdAt, cursor.at), and(eq(a.createdAt, cursor.at), lt(a.id, filter.before)))
    );
  }
  const rows = await db
    .select()
    .from(a)
    .where(and(...conditions))
    .orderBy(desc(a.createdAt), desc(a.id))
    .limit(limit + 1);
  const hasMore = rows.length > limit;
  return {
    events: (hasMore ? rows.slice(0, limit) : rows).map((row) => ({
      id: row.id,
      type: row.type,
      at: row.createdAt.toISOString(),
      actor:
        row.actorName === null
          ? null
          : { id: row.actorId, name: sanitizeDisplayName(row.actorName) },
      target: row.target,
      targetUserId: row.targetUserId,
      details: row.details
    })),
    hasMore
  };
}

/** Cells a spreadsheet would run as a formula start with one of these. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 field: quoted when it holds a comma, quote or line break; a leading formula
 * character is neutralised with a quote so that a name like "=HYPERLINK(…)" stays text.
 */
export function csvField(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatDetails(details: AuditDetails | null): string {
  if (!details) return '';
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${value === null ? 'default' : String(value)}`)
    .join('; ');
}

export const AUDIT_CSV_COLUMNS = ['time', 'type', 'actor', 'target', 'details'] as const;

export function auditCsv(events: AuditEntry[]): string {
  const lines = [AUDIT_CSV_COLUMNS.join(',')];
  for (const event of events) {
    lines.push(
      [
        event.at,
        event.type,
        event.actor?.name ?? '',
        event.target ?? '',
        formatDetails(event.details)
      ]
        .map(csvField)
        .join(',')
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
