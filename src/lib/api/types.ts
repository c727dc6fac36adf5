// Shapes of the API's requests and answers, as the client sees them (to be pointed at server types).

export type Locale = 'en' | 'fr';

export interface Organization {
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2 default phone region of the organization, e.g. `FR`. */
  region: string;
}

export interface Me {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  kind: 'managed' | 'personal';
  role: 'admin' | 'member' | null;
  organization: Organization | null;
  /** Phone region used to read national-format numbers (the organization's for managed users). */
  region: string;
  /** `null` means "follow the device language". */
  locale: Locale | null;
  /**
   * Message requests from outside the organization (personal users: from people not accepted)
   * reach this user. Absent in profiles cached before the setting existed: treat as on.
   */
  requestsAllowed?: boolean;
  /**
   * Messages this user may send in a request before acceptance (1–10): their organization's
   * setting as it stands now, 10 for personal accounts. Absent in profiles cached before the
   * server sent it. The device holds queued messages to the lower of this and the chat's cap.
   */
  requestCap?: number;
}

export interface CodeRequest {
  address: string;
}

export interface CodeSent {
  status: 'sent';
  expiresInSeconds: number;
}

export interface VerifyRequest {
  address: string;
  code: string;
  name?: string;
}

export type VerifyResult = { status: 'signed_in'; user: Me } | { status: 'name_required' };

export interface MePatch {
  name?: string;
  region?: string;
  locale?: Locale | null;
  requestsAllowed?: boolean;
}

/** POST /api/invitations/preview: what the invitation link says, before joining or refusing. */
export interface InvitationPreview {
  sender: { name: string; organization: string | null };
  /** The invited address, masked ("a••••@example.org"). */
  address: string;
  channel: 'email' | 'sms';
  expiresAt: string;
  /** Null when signed out; else whether the signed-in account holds the invited address. */
  signedInAs: { matches: boolean } | null;
}

/** Body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** `details.reason` of a 400 `invalid_address`. */
export type InvalidAddressReason =
  | 'empty'
  | 'invalid_email'
  | 'confusable_email'
  | 'sms_country_not_allowed'
  | 'invalid_phone'
  | 'phone_not_valid'
  | 'premium_rate_number'
  | 'shared_cost_number'
  | (string & {});
