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
}

/** Body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** `details.reason` of a 400 `invalid_address`. */
export type InvalidAddressReason =
  | 'empty'
  | 'invalid_email'
  | 'invalid_phone'
  | 'phone_not_valid'
  | 'premium_rate_number'
  | 'shared_cost_number'
  | (string & {});
