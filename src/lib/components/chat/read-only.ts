// Why a chat is read-only, in words fit for the person looking at it (docs/administration.md).
import type { LocalChat } from '$lib/db';
import type { MessageKey } from '$lib/i18n';
import type { ReadOnlyReason } from '$common/protocol';

export type ReadOnlyText = { key: MessageKey; params?: Record<string, string> };

/** The policy that stops new messages here, as the server last said; null: the chat is open. */
export function readOnlyReason(chat: Pick<LocalChat, 'server'>): ReadOnlyReason | null {
  return chat.server?.readOnly?.reason ?? null;
}

/**
 * Outbound chat turned off makes a chat read-only for both sides. The server does not say whose
 * organization did it, so the banner names it only where the members tell: a personal account
 * facing people of exactly one organization; a managed member whose chat holds no other
 * organization's people (then it can only be their own).
 */
export function readOnlyText(
  chat: Pick<LocalChat, 'server' | 'members'>,
  me: { id: string; organization: string | null } | null
): ReadOnlyText | null {
  const reason = readOnlyReason(chat);
  if (!reason) return null;
  if (reason !== 'policy_outbound_disabled' || !me) return { key: 'readOnly.neutral' };
  const others = chat.members.filter((member) => member.userId !== me.id);
  const organizations = new Set(
    others.map((member) => member.organization).filter((name): name is string => name !== null)
  );
  if (me.organization === null) {
    const [organization] = organizations;
    return organizations.size === 1 && organization
      ? { key: 'readOnly.outbound.theirs', params: { organization } }
      : { key: 'readOnly.neutral' };
  }
  organizations.delete(me.organization);
  return organizations.size === 0 ? { key: 'readOnly.outbound.ours' } : { key: 'readOnly.neutral' };
}
