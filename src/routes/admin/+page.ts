// The admin page's messages arrive with it: no other screen downloads them.
import { loadAdminMessages } from '$lib/i18n';
import type { PageLoad } from './$types';

export const load: PageLoad = () => loadAdminMessages();
