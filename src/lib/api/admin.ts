// Typed calls to the admin API of one organization (docs/administration.md); admins only.
import type { AuditDetails, AuditEventType } from '$common/audit';
import { request } from './client';

export type Override = 'default' | 'on' | 'off';
export type Role = 'admin' | 'member';

export interface InvitationLimits {
  perSenderHour: number;
  perOrganizationDay: number;
}

/** Effective values: the server fills in its defaults. */
export interface AdminSettings {
  outboundExternal: boolean;
  inboundExternal: boolean;
  requestCap: number;
  smsCountries: string[];
  invitationLimits: InvitationLimits;
  /** Push notifications show the message text; off: "New message". */
  notificationPreviews: boolean;
}

export type SettingName = keyof AdminSettings;

/** Who changed a setting last, from the audit log (the name is null for a deleted account). */
export interface SettingChange {
  by: { id: string | null; name: string | null };
  at: string;
}

export interface SettingsView {
  organization: { id: string; name: string; domains: string[] };
  settings: AdminSettings;
  changes: Partial<Record<SettingName, SettingChange>>;
  /** The countries the organization may choose from: the server's own list. */
  smsCountriesAllowed: string[];
}

export interface SettingsPatch {
  outboundExternal?: boolean;
  inboundExternal?: boolean;
  requestCap?: number;
  /** null: back to the built-in list. */
  smsCountries?: string[] | null;
  /** A null field: back to the server's own limit. */
  invitationLimits?: { perSenderHour?: number | null; perOrganizationDay?: number | null };
  notificationPreviews?: boolean;
}

/** What saving a patch would do to existing conversations. */
export interface Effects {
  readOnlyChats: number;
  hiddenRequests: number;
}

export interface Member {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  role: Role;
  outbound: Override;
  inbound: Override;
}

export type MemberPatch = Partial<Pick<Member, 'role' | 'outbound' | 'inbound'>>;

type By = { id: string; name: string } | null;

export interface BlockedLists {
  domains: { domain: string; by: By; at: string }[];
  addresses: { address: string; name: string | null; by: By; at: string }[];
}

export interface AuditEvent {
  id: string;
  /** One of AUDIT_EVENT_TYPES, or a type this version of the app does not know yet. */
  type: string;
  at: string;
  /** Null when the system acted on its own. */
  actor: { id: string | null; name: string } | null;
  target: string | null;
  targetUserId: string | null;
  /** Scalars only: never message text. */
  details: AuditDetails | null;
}

export interface AuditPage {
  events: AuditEvent[];
  hasMore: boolean;
}

/** The audit log's filters as the page holds them: empty strings mean "any". */
export interface AuditFilter {
  type: AuditEventType | '';
  /** A user id. */
  person: string;
  /** `YYYY-MM-DD`, inclusive. */
  from: string;
  /** `YYYY-MM-DD`, that whole day included (the server reads a bare date so). */
  to: string;
}

/** The query string for a filter (with `?`, or empty), shared by the list and the CSV export. */
export function auditQuery(filter: AuditFilter, page: { before?: string; limit?: number } = {}) {
  const params = new URLSearchParams();
  if (filter.type) params.set('type', filter.type);
  if (filter.person.trim()) params.set('person', filter.person.trim());
  if (filter.from) params.set('from', filter.from);
  if (filter.to) params.set('to', filter.to);
  if (page.before) params.set('before', page.before);
  if (page.limit) params.set('limit', String(page.limit));
  const query = params.toString();
  return query ? `?${query}` : '';
}

const base = (organizationId: string) =>
  `/api/admin/organizations/${encodeURIComponent(organizationId)}`;

/** Same-origin GET with the session cookie: a plain download link works. */
export function auditCsvUrl(organizationId: string, filter: AuditFilter): string {
  return `${base(organizationId)}/audit.csv${auditQuery(filter)}`;
}

export function adminApi(organizationId: string) {
  const at = base(organizationId);
  return {
    settings: () => request<SettingsView>('GET', `${at}/settings`),
    updateSettings: (patch: SettingsPatch) =>
      request<SettingsView>('PATCH', `${at}/settings`, patch),
    /** Nothing is saved. */
    preview: (patch: SettingsPatch) =>
      request<{ effects: Effects }>('POST', `${at}/settings/preview`, patch),
    members: (q: string) =>
      request<{ members: Member[] }>(
        'GET',
        `${at}/members${q.trim() ? `?${new URLSearchParams({ q: q.trim() })}` : ''}`
      ),
    updateMember: (userId: string, patch: MemberPatch) =>
      request<Member>('PATCH', `${at}/members/${encodeURIComponent(userId)}`, patch),
    /** At once: their sessions end, they leave every chat, their address no longer signs in. */
    removeMember: (userId: string) =>
      request<void>('DELETE', `${at}/members/${encodeURIComponent(userId)}`),
    blocked: () => request<BlockedLists>('GET', `${at}/blocked`),
    blockDomain: (domain: string) =>
      request<BlockedLists>('POST', `${at}/blocked/domains`, { domain }),
    unblockDomain: (domain: string) =>
      request<BlockedLists>('DELETE', `${at}/blocked/domains/${encodeURIComponent(domain)}`),
    blockAddress: (address: string) =>
      request<BlockedLists>('POST', `${at}/blocked/addresses`, { address }),
    unblockAddress: (address: string) =>
      request<BlockedLists>('POST', `${at}/blocked/addresses/remove`, { address }),
    audit: (filter: AuditFilter, before?: string) =>
      request<AuditPage>('GET', `${at}/audit${auditQuery(filter, { before })}`)
  };
}

export type AdminApi = ReturnType<typeof adminApi>;
