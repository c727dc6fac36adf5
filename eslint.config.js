// ESLint: typed rules that catch real async bugs, over client, server, tests and scripts.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import { builtinModules } from 'node:module';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
  { ignores: ['build/', '.svelte-kit/', 'node_modules/', 'drizzle/', 'data/', 'test-results/'] },
  js.configs.recommended,
  ...ts.configs.recommendedTypeChecked,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        projectService: {
          // Root configs and the service worker (which SvelteKit's tsconfig leaves out).
          allowDefaultProject: [
            'drizzle.*.config.ts',
            'vitest.*.config.ts',
            'src/service-worker.ts'
          ]
        },
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte']
      }
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ]
    }
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: ts.parser, svelteConfig }
    }
  },
  {
    // Test files read loosely-typed JSON bodies; `any` there is the honest type.
    files: ['**/*.spec.ts', 'tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off'
    }
  },
  {
    // Which side may import which (README, Map). The server runs under tsx, which has no aliases.
    files: ['server/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+src(/|$)',
              message: 'The server never imports the client: move shared code to common/.'
            },
            {
              regex: '^\\$',
              message: 'tsx has no aliases: import common/ by relative path.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+server(/|$)',
              allowTypeImports: true,
              message:
                'The client imports the server with `import type` only: move shared code to common/.'
            }
          ]
        }
      ],
      // `import { type A }` keeps `import {}` (verbatimModuleSyntax), which would bundle the module.
      '@typescript-eslint/no-import-type-side-effects': 'error'
    }
  },
  {
    // common/ runs in the browser and in Node: neither side's code nor either runtime's own APIs.
    files: ['common/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(src|server)(/|$)',
              message: 'common/ imports neither the client nor the server.'
            },
            {
              regex: '^\\$',
              message: 'common/ is imported by the server under tsx: use relative paths.'
            },
            {
              regex: `^(node:.*|${builtinModules.join('|')})(/.*)?$`,
              message: 'common/ also runs in the browser: no Node modules.'
            },
            {
              regex: '^(svelte|dexie)(/|$)',
              message: 'common/ also runs in Node: no browser-only modules.'
            }
          ]
        }
      ],
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage']
          .concat(['indexedDB', 'process', 'Buffer', 'require', '__dirname', '__filename'])
          .map((name) => ({ name, message: 'common/ runs in the browser and in Node.' }))
      ]
    }
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...ts.configs.disableTypeChecked
  }
);
