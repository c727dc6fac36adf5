import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

const apiTarget = `http://127.0.0.1:${process.env.API_PORT ?? '3000'}`;

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    // `npm run dev`: Vite serves the client and forwards the API to the Node server.
    proxy: {
      '/api': { target: apiTarget, ws: true },
      '/dev': { target: apiTarget }
    }
  },
  test: {
    include: [
      'src/**/*.spec.ts',
      'common/**/*.spec.ts',
      'server/**/*.spec.ts',
      'tests/**/*.spec.ts'
    ],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 60_000
  }
});
