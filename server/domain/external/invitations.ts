// Invitations to people outside: the link's token, its abuse limits and its fixed message.
// What opening the link does is in invitation-links.ts. No HTTP here
// (server/routes/invitations.ts), no mutation pipeline (server/domain/sync/).
import { createHash } from 'node:crypto';
import type { Address } from '../../../common/address.ts';
import { INVITATION_LIFETIME_MS } from '../../../common/protocol.ts';
import {
  invitationEmail,
  invitationSms,
  requestEmail,
  requestSms,
  type SenderLine
} from '../../messaging/templates.ts';
import type { Outgoing } from '../../messaging/transports.ts';
import type { Db } from '../../store/index.ts';
import type { Locale, OrganizationInvitationLimits } from '../../store/schema.ts';
import type { InvitationLimits } from '../../config.ts';
import { countHits, type LimitCheck } from '../rate-limit.ts';
import { randomToken } from '../secrets.ts';
import type { MutationContext, Refusal } from '../sync/context.ts';

/** The server's limits, lowered where the sender's organization set its own (admin setting). */
export function invitationLimitsFor<
  L extends Pick<InvitationLimits, 'perSenderHour' | 'perOrganizationDay'>
>(server: L, organization: { invitationLimits: OrganizationInvitationLimits | null } | null): L {
  const own = organization?.invitationLimits ?? {};
  return {
    ...server,
    perSenderHour: Math.min(own.perSenderHour ?? server.perSenderHour, server.perSenderHour),
    perOrganizationDay: Math.min(
      own.perOrganizationDay ?? server.perOrganizationDay,
      server.perOrganizationDay
    )
  };
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** A fresh link token (32 random bytes, base64url) and the SHA-256 hex stored in its place. */
export function newInvitationToken(): { token: string; hash: string } {
  const token = randomToken();
  return { token, hash: hashInvitationToken(token) };
}

/** 256 random bits need no key: a leaked hash cannot be turned back into a working link. */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The rate-limit keys one start or resend counts on. */
export function invitationLimitChecks(
  limits: InvitationLimits,
  hit: { senderId: string; organizationId: string | null; address: Address }
): LimitCheck[] {
  const checks: LimitCheck[] = [
    {
      key: `invitation:sender:${hit.senderId}`,
      limit: { max: limits.perSenderHour, windowMs: HOUR_MS }
    },
    {
      key: `invitation:address:${hit.address.key}`,
      limit: { max: limits.perAddressDay, windowMs: DAY_MS }
    }
  ];
  if (hit.organizationId !== null) {
    checks.push({
      key: `invitation:organization:${hit.organizationId}`,
      limit: { max: limits.perOrganizationDay, windowMs: DAY_MS }
    });
  }
  if (hit.address.kind === 'phone') {
    checks.push({
      key: `invitation:calling-code:${hit.address.callingCode}`,
      limit: { max: limits.perCallingCodeDay, windowMs: DAY_MS }
    });
  }
  return checks;
}

/**
 * Counts one start/resend on each applicable limit inside `tx` (atomic upserts on rate_limits,
 * rolled back with the mutation when it fails for another reason). Keys: the sender per hour,
 * the organization per day (managed senders only), the address per day, the calling code per
 * day (phones only). Null when every limit allows it.
 */
export async function countInvitation(
  tx: Db,
  limits: InvitationLimits,
  hit: { senderId: string; organizationId: string | null; address: Address; now: Date }
): Promise<Refusal | null> {
  const decision = await countHits(tx, invitationLimitChecks(limits, hit), hit.now);
  if (decision.allowed) return null;
  return {
    code: 'rate_limited',
    message: 'Too many invitations were sent. Try again later.',
    details: { retryAfterSeconds: decision.retryAfterSeconds }
  };
}

/**
 * Counts one invitation of the actor to `address` (a start or a resend) on the limits in force
 * for them: the server's, narrowed by their organization's. The refusal when one is spent.
 */
export async function takeInvitationPlace(
  tx: Db,
  context: MutationContext,
  address: Address
): Promise<Refusal | null> {
  const limits = invitationLimitsFor(context.external.limits, await context.organization());
  return countInvitation(tx, limits, {
    senderId: context.actor.id,
    organizationId: context.actor.organizationId,
    address,
    now: context.now
  });
}

/** Link paths in the client; the token rides in the fragment, which no server ever logs. */
export function invitationLinks(publicUrl: string, token: string) {
  const fragment = `#token=${encodeURIComponent(token)}`;
  return { join: `${publicUrl}/join${fragment}`, refuse: `${publicUrl}/refuse${fragment}` };
}

/**
 * The fixed-template email or SMS in the sender's language: 'invitation' (no account yet: the
 * sender's verified name and organization, the join and refuse links) or 'request' (an account
 * exists: a pointer to the app). Never any text written by the sender.
 */
export function invitationMessage(
  kind: 'invitation' | 'request',
  input: {
    sender: SenderLine;
    address: Address;
    locale: Locale;
    token: string | null;
    publicUrl: string;
  }
): Outgoing {
  const { sender, address, locale } = input;
  if (kind === 'request') {
    const link = `${input.publicUrl}/`;
    return address.kind === 'email'
      ? { channel: 'email', to: address.value, ...requestEmail(locale, sender, link) }
      : { channel: 'sms', to: address.value, text: requestSms(locale, sender, link) };
  }
  if (input.token === null) throw new Error('an invitation needs its token');
  const links = invitationLinks(input.publicUrl, input.token);
  const days = INVITATION_LIFETIME_MS / DAY_MS;
  return address.kind === 'email'
    ? { channel: 'email', to: address.value, ...invitationEmail(locale, sender, links, days) }
    : { channel: 'sms', to: address.value, text: invitationSms(locale, sender, links) };
}
