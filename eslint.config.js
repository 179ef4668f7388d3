import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.data/**', 'test-artifacts/**'] },
  { languageOptions: { globals: { ...globals.node } } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // one key names a logger's module across the tree (CONTRIBUTING.md, "Logs")
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name='child'] > ObjectExpression > Property[key.name='module']",
          message: "name a child logger's module with `mod`, not `module`",
        },
      ],
    },
  },
  { files: ['scripts/**', 'test/**', 'bench/**', '**/*.test.ts'], rules: { 'no-console': 'off' } },
);
