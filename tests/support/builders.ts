// Small builders for the API specs: the setup lines many specs repeated, each under a name.
// They sign in and add data only; what a spec asserts stays in the spec.
import { addOrganization } from './external.ts';
import type { Browser, TestApp } from './harness.ts';
import { deviceFor, type TestDevice } from './sync.ts';

/** A new browser signed in as `address` through the real code flow. */
export async function signedIn(t: TestApp, address: string, name?: string): Promise<Browser> {
  const browser = t.browser();
  await browser.signIn(t, address, name);
  return browser;
}

/** Alice, the seeded admin of Contoso, signed in; `base` is her organization's admin API. */
export async function signedInAdmin(
  t: TestApp
): Promise<{ admin: Browser; organizationId: string; base: string }> {
  const admin = t.browser();
  const me = await admin.signIn(t, 'alice@contoso.test');
  const organizationId = me.organization.id as string;
  return { admin, organizationId, base: `/api/admin/organizations/${organizationId}` };
}

export const FRANK = { name: 'Frank Miller', email: 'frank@fabrikam.test' };
export const FIONA = { name: 'Fiona Lee', email: 'fiona@fabrikam.test' };

/** Fabrikam, a second organization on fabrikam.test, with Frank and Fiona unless told; its id. */
export function addFabrikam(
  t: TestApp,
  people: { name: string; email: string }[] = [FRANK, FIONA]
): Promise<string> {
  return addOrganization(t, { name: 'Fabrikam', domain: 'fabrikam.test', people });
}

/**
 * The border most external specs start from: Fabrikam added (Frank and Fiona), then Alice of
 * Contoso and Frank of Fabrikam each signed in on a device.
 */
export async function aliceAndFrank(
  t: TestApp
): Promise<{ fabrikam: string; alice: TestDevice; frank: TestDevice }> {
  const fabrikam = await addFabrikam(t);
  const alice = await deviceFor(t, 'alice@contoso.test');
  const frank = await deviceFor(t, 'frank@fabrikam.test');
  return { fabrikam, alice, frank };
}
