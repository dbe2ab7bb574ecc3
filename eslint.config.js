// Lint rules, including the layer rule of docs/architecture.md: imports point inward only.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const server = 'packages/server/src';

/** Forbid imports of the named layers from files of one layer. */
function layer(files, forbidden, why) {
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((dir) => ({
            group: [`**/${dir}/**`, `../${dir}`, `./${dir}`],
            message: why,
          })),
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'data/**',
      'coverage/**',
      'packages/proto/src/gen/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  layer(
    [`${server}/domain/**`],
    ['app', 'ports', 'adapters', 'transports', 'protocol', 'config', 'observability', 'main'],
    'domain is pure: it imports nothing of ours outside domain.',
  ),
  layer(
    [`${server}/ports/**`],
    ['app', 'adapters', 'transports', 'config', 'observability', 'main'],
    'ports are interfaces: they depend on domain only.',
  ),
  layer(
    [`${server}/app/**`],
    ['adapters', 'transports', 'config', 'observability', 'main'],
    'app depends on ports and domain only, never on an adapter or a transport.',
  ),
  layer(
    [`${server}/adapters/**`],
    ['app', 'transports', 'main'],
    'adapters implement ports; they never import app or a transport.',
  ),
  layer(
    [`${server}/transports/**`],
    ['adapters', 'main'],
    'transports call use cases; only the composition root knows the adapters.',
  ),
  {
    files: ['packages/web/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: [
      `${server}/cli.ts`,
      'packages/server/test/**',
      'packages/web/test/**',
      'bench/**',
      '.ci/**',
    ],
    rules: { 'no-console': 'off' },
  },
);
