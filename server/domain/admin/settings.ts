// An organization's external-contact settings: read with server defaults filled in, changed
// with validation and one audit event per changed setting, and previewed before saving.
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { isSupportedCountry } from 'libphonenumber-js';
import { DEFAULT_REQUEST_CAP } from '../../../common/protocol.ts';
import { tables, type Db } from '../../store/index.ts';
import type { OrganizationInvitationLimits } from '../../store/schema.ts';
import { DomainError } from '../errors.ts';
import { recordAudit } from '../audit.ts';
import { requestCap } from '../external/policy.ts';
import type { OrganizationRow } from '../../store/schema.ts';
import { invitationLimitsFor } from '../external/invitations.ts';
import type { Admin } from './access.ts';
import { hasOutsider, isOutsider } from './effects.ts';
import { queueSwitchEffects } from './spread.ts';

export const SETTING_NAMES = [
  'outboundExternal',
  'inboundExternal',
  'requestCap',
  'smsCountries',
  'invitationLimits',
  'notificationPreviews'
] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

/** The server's own invitation limits (configuration): an organization may only lower them. */
export type ServerLimits = {
  perSenderHour: number;
  perOrganizationDay: number;
  /** Where this server texts at all (`SMS_COUNTRIES`): an organization's list only narrows it. */
  smsCountries: readonly string[];
};

export type Settings = {
  outboundExternal: boolean;
  inboundExternal: boolean;
  requestCap: number;
  smsCountries: string[];
  invitationLimits: { perSenderHour: number; perOrganizationDay: number };
  /** Push notifications show the message text; off, they say "New message". */
  notificationPreviews: boolean;
};

export type SettingsPatch = {
  outboundExternal?: boolean;
  inboundExternal?: boolean;
  requestCap?: number;
  /** null: back to the built-in list. */
  smsCountries?: string[] | null;
  /** A null field: back to the server's limit. */
  invitationLimits?: { perSenderHour?: number | null; perOrganizationDay?: number | null };
  notificationPreviews?: boolean;
};

export type SettingChange = { by: { id: string | null; name: string | null }; at: string };

export type SettingsView = {
  organization: { id: string; name: string; domains: string[] };
  settings: Settings;
  changes: Partial<Record<SettingName, SettingChange>>;
  /** The countries an organization may choose from: the server's list. */
  smsCountriesAllowed: string[];
};

export function effectiveSettings(organization: OrganizationRow, limits: ServerLimits): Settings {
  const { smsCountries: textable, ...invitations } = limits;
  return {
    outboundExternal: organization.outboundExternal,
    inboundExternal: organization.inboundExternal,
    requestCap: requestCap(organization),
    // What the server would text, as it does: the organization's list within the server's.
    smsCountries: (organization.smsCountries ?? textable).filter((c) => textable.includes(c)),
    invitationLimits: invitationLimitsFor(invitations, organization),
    notificationPreviews: organization.notificationPreviews
  };
}

export async function readSettings(
  db: Db,
  organization: OrganizationRow,
  limits: ServerLimits
): Promise<SettingsView> {
  const { organizationDomains, auditEvents: a } = tables;
  const domains = await db
    .select({ domain: organizationDomains.domain })
    .from(organizationDomains)
    .where(eq(organizationDomains.organizationId, organization.id))
    .orderBy(organizationDomains.domain);
  const changes: SettingsView['changes'] = {};
  for (const name of SETTING_NAMES) {
    const [last] = await db
      .select({ actorId: a.actorId, actorName: a.actorName, at: a.createdAt })
      .from(a)
      .where(
        and(
          eq(a.organizationId, organization.id),
          eq(a.type, 'settings.changed'),
          eq(a.target, name)
        )
      )
      .orderBy(desc(a.createdAt), desc(a.id))
      .limit(1);
    if (last) {
      changes[name] = { by: { id: last.actorId, name: last.actorName }, at: last.at.toISOString() };
    }
  }
  return {
    organization: {
      id: organization.id,
      name: organization.name,
      domains: domains.map((row) => row.domain)
    },
    settings: effectiveSettings(organization, limits),
    changes,
    smsCountriesAllowed: [...limits.smsCountries]
  };
}

const invalid = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, message, details);

/** The stored form of each setting `patch` names, validated; throws a coded DomainError. */
function validate(
  organization: OrganizationRow,
  patch: SettingsPatch,
  limits: ServerLimits
): Partial<Pick<OrganizationRow, SettingName>> {
  const next: Partial<Pick<OrganizationRow, SettingName>> = {};
  if (patch.outboundExternal !== undefined) next.outboundExternal = patch.outboundExternal;
  if (patch.inboundExternal !== undefined) next.inboundExternal = patch.inboundExternal;
  if (patch.notificationPreviews !== undefined) {
    next.notificationPreviews = patch.notificationPreviews;
  }
  if (patch.requestCap !== undefined) {
    const cap = patch.requestCap;
    if (!Number.isInteger(cap) || cap < 1 || cap > DEFAULT_REQUEST_CAP) {
      throw invalid(
        'invalid_request_cap',
        `The number of messages before acceptance must be a whole number from 1 to ${DEFAULT_REQUEST_CAP}.`
      );
    }
    next.requestCap = cap;
  }
  if (patch.smsCountries !== undefined) {
    if (patch.smsCountries === null) {
      next.smsCountries = null;
    } else {
      const countries: string[] = [];
      for (const raw of patch.smsCountries) {
        const country = raw.trim().toUpperCase();
        if (!isSupportedCountry(country)) {
          throw invalid('invalid_country', `${raw} is not a country code we can text.`, {
            country: raw
          });
        }
        if (!limits.smsCountries.includes(country)) {
          throw invalid(
            'country_not_allowed',
            `This server does not send text messages to ${country}; choose among its countries.`,
            { country }
          );
        }
        if (!countries.includes(country)) countries.push(country);
      }
      next.smsCountries = countries;
    }
  }
  if (patch.invitationLimits !== undefined) {
    const merged: OrganizationInvitationLimits = { ...organization.invitationLimits };
    for (const key of ['perSenderHour', 'perOrganizationDay'] as const) {
      const value = patch.invitationLimits[key];
      if (value === undefined) continue;
      if (value === null) {
        delete merged[key];
        continue;
      }
      if (!Number.isInteger(value) || value < 1 || value > limits[key]) {
        throw invalid(
          'invalid_limit',
          `The invitation limit must be a whole number from 1 to ${limits[key]}.`,
          { limit: key, max: limits[key] }
        );
      }
      merged[key] = value;
    }
    next.invitationLimits = Object.keys(merged).length > 0 ? merged : null;
  }
  return next;
}

/** A stored setting as the audit log shows it (scalars only; null: the default). */
function auditValue(name: SettingName, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (name === 'smsCountries') return (value as string[]).join(',');
  if (name === 'invitationLimits') return JSON.stringify(value);
  return value as string | number | boolean;
}

/**
 * Applies `patch` to the organization in the caller's transaction, recording a
 * `settings.changed` event for each setting whose stored value changes, and queueing the effects
 * of a changed switch on existing chats (as much work for ten chats as for ten thousand). Returns
 * the new row and whether there is an effect to spread after commit.
 */
export async function updateSettings(
  tx: Db,
  admin: Admin,
  patch: SettingsPatch,
  limits: ServerLimits,
  now: Date
): Promise<{ organization: OrganizationRow; spread: boolean }> {
  const { organization } = admin;
  const next = validate(organization, patch, limits);
  const changed = SETTING_NAMES.filter(
    (name) =>
      name in next &&
      JSON.stringify(auditValue(name, next[name])) !==
        JSON.stringify(auditValue(name, organization[name]))
  );
  if (changed.length === 0) return { organization, spread: false };
  const values = Object.fromEntries(changed.map((name) => [name, next[name]]));
  const [updated] = await tx
    .update(tables.organizations)
    .set(values)
    .where(eq(tables.organizations.id, organization.id))
    .returning();
  if (!updated) throw new Error(`organization ${organization.id} vanished in its transaction`);
  for (const name of changed) {
    await recordAudit(tx, {
      organizationId: organization.id,
      type: 'settings.changed',
      actor: admin.actor,
      target: name,
      details: { from: auditValue(name, organization[name]), to: auditValue(name, next[name]) },
      at: now
    });
  }
  // Devices see the switches and the cap in their chats (read-only state, a request's cap).
  const seenInChats = changed.some(
    (name) => name === 'outboundExternal' || name === 'inboundExternal' || name === 'requestCap'
  );
  if (seenInChats) await queueSwitchEffects(tx, { organizationId: organization.id }, now);
  return { organization: updated, spread: seenInChats };
}

export type Effects = { readOnlyChats: number; hiddenRequests: number };

/**
 * What saving `patch` would do to existing conversations: external chats (a current member of
 * the organization with a current member outside it) that become read-only because one of its
 * members loses outbound chat, and pending requests from outside that its members stop seeing
 * because they lose inbound chat. Members with an override are not affected.
 */
export async function previewSettings(
  db: Db,
  organization: OrganizationRow,
  patch: SettingsPatch,
  limits: ServerLimits
): Promise<Effects> {
  validate(organization, patch, limits);
  const before = {
    outbound: organization.outboundExternal,
    inbound: organization.inboundExternal
  };
  const after = {
    outbound: patch.outboundExternal ?? before.outbound,
    inbound: patch.inboundExternal ?? before.inbound
  };
  let readOnlyChats = 0;
  let hiddenRequests = 0;
  if (before.outbound && !after.outbound) {
    readOnlyChats = await countExternalChatsLosingOutbound(db, organization.id);
  }
  if (before.inbound && !after.inbound) {
    hiddenRequests = await countRequestsLosingInbound(db, organization.id);
  }
  return { readOnlyChats, hiddenRequests };
}

/** Current members of the organization in external chats: chat id and outbound override. */
export async function externalChatMembers(db: Db, organizationId: string) {
  const { chatMembers: m, users: u } = tables;
  const outside = hasOutsider(m.chatId, organizationId);
  return db
    .select({ chatId: m.chatId, userId: m.userId, outboundOverride: u.outboundOverride })
    .from(m)
    .innerJoin(u, eq(u.id, m.userId))
    .where(and(eq(u.organizationId, organizationId), isNull(m.leftAt), outside));
}

/**
 * External chats that are writable now (every member of ours may send outside) and become
 * read-only when the organization's outbound setting goes off: some member of ours there
 * follows the organization's setting.
 */
async function countExternalChatsLosingOutbound(db: Db, organizationId: string): Promise<number> {
  const rows = await externalChatMembers(db, organizationId);
  const chats = new Map<string, { offNow: boolean; followsDefault: boolean }>();
  for (const row of rows) {
    const chat = chats.get(row.chatId) ?? { offNow: false, followsDefault: false };
    if (row.outboundOverride === null) chat.followsDefault = true;
    else if (!row.outboundOverride) chat.offNow = true;
    chats.set(row.chatId, chat);
  }
  return [...chats.values()].filter((chat) => !chat.offNow && chat.followsDefault).length;
}

/** Pending, visible requests from outside to members who follow the organization's inbound setting. */
async function countRequestsLosingInbound(db: Db, organizationId: string): Promise<number> {
  const { messageRequests: r, users: recipient } = tables;
  const [row] = await db
    .select({ count: sql<number>`count(*)` })
    .from(r)
    .innerJoin(recipient, eq(recipient.id, r.recipientId))
    .where(
      and(
        eq(r.status, 'pending'),
        eq(r.suppressed, false),
        isNull(r.revokedAt),
        eq(recipient.organizationId, organizationId),
        isNull(recipient.inboundOverride),
        isOutsider(r.senderId, organizationId)
      )
    );
  return Number(row?.count ?? 0);
}
