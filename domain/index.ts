// Public API of the pure domain layer (no I/O, deterministic), for the API, activities, tools and tests: everything,
// including the zod request and settings schemas (validation.ts, case-actions.ts, handover-requests.ts,
// settings-schemas.ts).
//
// Workflows do not import this file: they import the modules they need (case-decide.ts, handover.ts, dates.ts, …),
// none of which loads zod or builds anything heavy at load time. Every workflow evaluates its modules anew (the SDK gives
// each workflow its own module cache), so whatever they pull in is paid per workflow; tests/workflow-bundle.test.ts
// keeps zod out of the bundle.
export * from './dates.js';
export * from './organisations.js';
export * from './routing.js';
export * from './events.js';
export * from './deadlines.js';
export * from './validation.js';
export * from './settings-schemas.js';
export * from './case-model.js';
export * from './case-actions.js';
export * from './case-payload-checks.js';
export * from './case-lifecycle.js';
export * from './next-step.js';
export * from './case-search.js';
export * from './case-decide.js';
export * from './case-compact.js';
export * from './handover.js';
export * from './handover-requests.js';
export * from './handover-payload-checks.js';
export * from './consent-sharing.js';
export * from './erasure.js';
export * from './labels.js';
export * from './case-opening.js';
export * from './progress.js';
export * from './target-groups.js';
export * from './referral-catalogue.js';
export * from './residence-track.js';
