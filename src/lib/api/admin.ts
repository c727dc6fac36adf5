// Typed calls to the admin API of one organization (docs/administration.md); admins only. The
// shapes are the server's (admin-schemas.ts), read off its routes.
import type { AuditEventType } from '$common/audit';
import { answer, apiUrl, client } from './client';
import type { AnswerOf, Api, BodyOf, QueryOf } from './types';

type Routes = Api['admin']['organizations'][':organizationId'];

export type SettingsView = AnswerOf<Routes['settings']['$get']>;
/** Effective values: the server fills in its defaults. */
export type AdminSettings = SettingsView['settings'];
export type SettingName = keyof AdminSettings;
export type InvitationLimits = AdminSettings['invitationLimits'];
/** Who changed a setting last, from the audit log (the name is null for a deleted account). */
export type SettingChange = NonNullable<SettingsView['changes'][SettingName]>;
/** A null `smsCountries` or limit: back to the server's own. */
export type SettingsPatch = BodyOf<Routes['settings']['$patch']>;
/** What saving a patch would do to existing conversations. */
export type Effects = AnswerOf<Routes['settings']['preview']['$post']>['effects'];

export type Member = AnswerOf<Routes['members'][':userId']['$patch']>;
export type MemberPatch = BodyOf<Routes['members'][':userId']['$patch']>;
export type Role = Member['role'];
export type Override = Member['outbound'];

export type BlockedLists = AnswerOf<Routes['blocked']['$get']>;

export type AuditPage = AnswerOf<Routes['audit']['$get']>;
/** `type` is one of AUDIT_EVENT_TYPES, or one this version of the app does not know yet. */
export type AuditEvent = AuditPage['events'][number];

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

type AuditPageQuery = { before?: string; limit?: number };

/** The query of a filter and page: `hc` sends it for the list, auditQuery writes it for links. */
function auditParams(
  filter: AuditFilter,
  page: AuditPageQuery = {}
): QueryOf<Routes['audit']['$get']> {
  return {
    type: filter.type || undefined,
    person: filter.person.trim() || undefined,
    from: filter.from || undefined,
    to: filter.to || undefined,
    before: page.before || undefined,
    limit: page.limit ? String(page.limit) : undefined
  };
}

/** The query string for a filter (with `?`, or empty), shared by the list and the CSV export. */
export function auditQuery(filter: AuditFilter, page: AuditPageQuery = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(auditParams(filter, page))) {
    if (value !== undefined) params.set(key, value);
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

// `hc` puts path parameters into the URL as they are: each is encoded here.
const id = encodeURIComponent;
const routes = (organizationId: string) => ({
  at: client.admin.organizations[':organizationId'],
  param: { organizationId: id(organizationId) }
});

/** Same-origin GET with the session cookie: a plain download link works. */
export function auditCsvUrl(organizationId: string, filter: AuditFilter): string {
  const { at, param } = routes(organizationId);
  // The filters as auditQuery writes them: the string the specs pin down.
  return apiUrl(at['audit.csv'].$path({ param, query: {} }) + auditQuery(filter));
}

export function adminApi(organizationId: string) {
  const { at, param } = routes(organizationId);
  return {
    settings: () => answer(at.settings.$get({ param })),
    updateSettings: (patch: SettingsPatch) => answer(at.settings.$patch({ param, json: patch })),
    /** Nothing is saved. */
    preview: (patch: SettingsPatch) => answer(at.settings.preview.$post({ param, json: patch })),
    members: (q: string) => answer(at.members.$get({ param, query: { q: q.trim() || undefined } })),
    updateMember: (userId: string, patch: MemberPatch) =>
      answer(
        at.members[':userId'].$patch({ param: { ...param, userId: id(userId) }, json: patch })
      ),
    /** At once: their sessions end, they leave every chat, their address no longer signs in. */
    removeMember: (userId: string) =>
      answer(at.members[':userId'].$delete({ param: { ...param, userId: id(userId) } })),
    blocked: () => answer(at.blocked.$get({ param })),
    blockDomain: (domain: string) => answer(at.blocked.domains.$post({ param, json: { domain } })),
    unblockDomain: (domain: string) =>
      answer(at.blocked.domains[':domain'].$delete({ param: { ...param, domain: id(domain) } })),
    blockAddress: (address: string) =>
      answer(at.blocked.addresses.$post({ param, json: { address } })),
    unblockAddress: (address: string) =>
      answer(at.blocked.addresses.remove.$post({ param, json: { address } })),
    audit: (filter: AuditFilter, before?: string) =>
      answer(at.audit.$get({ param, query: auditParams(filter, { before }) }))
  };
}

export type AdminApi = ReturnType<typeof adminApi>;
