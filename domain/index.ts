// Public API of the pure domain layer (no I/O, deterministic; safe inside Temporal workflows).
export * from './dates.js';
export * from './organisations.js';
export * from './routing.js';
export * from './events.js';
export * from './deadlines.js';
export * from './validation.js';
export * from './case-model.js';
export * from './case-actions.js';
export * from './case-lifecycle.js';
export * from './case-decide.js';
export * from './handover.js';
export * from './consent-sharing.js';
export * from './erasure.js';
