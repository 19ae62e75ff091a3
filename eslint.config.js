import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

// The layers (api/README.md, README "Code layout"): who may import whom.
const everythingBut = (...allowed) =>
  ['api', 'activities', 'bench', 'domain', 'drills', 'harness', 'platform', 'prisma', 'scripts', 'tests', 'workflows']
    .filter((folder) => !allowed.includes(folder))
    .map((folder) => `./${folder}`);

const layers = [
  { target: './domain', from: everythingBut('domain'), message: 'domain/ is pure: it imports nothing of the project outside domain/.' },
  // Activities' types are allowed (proxyActivities<typeof …>), their code is not: see the rule for workflows below.
  { target: './workflows', from: everythingBut('domain', 'workflows', 'activities'), message: 'workflows/ import only domain/ and their own definitions.' },
  { target: './platform', from: ['./api', './bench', './drills', './harness', './scripts', './tests'], message: 'platform/ never imports api/ (or tools and tests).' },
  { target: './activities', from: ['./api', './bench', './drills', './harness', './scripts', './tests'], message: 'activities/ do not import the API.' },
  { target: './api/operations', from: ['./api/v1', './api/pages', './api/http', './api/app.ts'], message: 'Operations know no door: they import neither v1/, pages/ nor http/.' },
  { target: './api/http', from: ['./api/v1', './api/pages'], message: 'api/http/ is shared plumbing; it imports no door.' },
  { target: './api/v1', from: ['./api/pages'], message: 'The JSON door and the pages never import each other.' },
  { target: './api/pages', from: ['./api/v1'], message: 'The JSON door and the pages never import each other.' },
  {
    target: ['./api', './activities', './bench', './domain', './drills', './harness', './platform', './scripts', './workflows'],
    from: './tests',
    message: 'Nothing outside tests/ imports tests/: shared helpers live in harness/.',
  },
];

// "No role string compared outside the policy": role checks go through api/operations/access-policy.ts.
const roleComparison = [
  {
    selector: "BinaryExpression[operator=/^[!=]==?$/][left.type='MemberExpression'][left.property.name='role'][right.type='Literal']",
    message: 'Compare roles only in api/operations/access-policy.ts: ask the policy (canSeeCoordination(user), …).',
  },
  {
    selector: "BinaryExpression[operator=/^[!=]==?$/][right.type='MemberExpression'][right.property.name='role'][left.type='Literal']",
    message: 'Compare roles only in api/operations/access-policy.ts: ask the policy (canSeeCoordination(user), …).',
  },
  {
    selector: "CallExpression[callee.property.name='includes'][callee.object.type='ArrayExpression'][arguments.0.property.name='role']",
    message: 'Compare roles only in api/operations/access-policy.ts: ask the policy.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'var/', '.venv/', 'prisma/generated/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: layers }],
      // Files small enough to read in one sitting, functions that fit on a screen (tests: describe blocks may be long).
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 80 }],
    },
  },
  {
    files: ['api/**/*.ts'],
    ignores: ['api/operations/access-policy.ts'],
    rules: { 'no-restricted-syntax': ['error', ...roleComparison] },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../activities/*'], allowTypeImports: true, message: 'Workflows import only the types of activities.' }] },
      ],
    },
  },
  {
    files: ['api/operations/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'express', message: 'Operations are called by both doors: no Express types here.' }] }] },
  },
  {
    // The pages' one script, served as a file (the CSP allows no inline script): it runs in the browser.
    files: ['templates/assets/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
  {
    // The server paths log through platform/logger.ts (pino: structured, with request ids), never console.*.
    files: ['api/**/*.ts', 'platform/**/*.ts', 'activities/**/*.ts', 'worker.ts', 'scripts/start.ts', 'scripts/worker.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // Tests read untyped JSON responses; their describe blocks are long lists of cases.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'max-lines-per-function': 'off', 'max-lines': 'off' },
  },
);
