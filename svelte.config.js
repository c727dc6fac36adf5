import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    // A single-page app: every path falls back to index.html, served by the API server.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true }),
    // Registered by hand (src/lib/pwa) so the app can offer "a new version is ready".
    serviceWorker: { register: false },
    version: { pollInterval: 0 },
    // Code the client and the server both run (common/): the server imports it by relative path.
    alias: { $common: 'common' },
    // The generated tsconfig covers src/ and tests/; common/ is typed with the client too.
    typescript: {
      config: (config) => {
        config.include.push('../common/**/*.ts');
      }
    }
  }
};
