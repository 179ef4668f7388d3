export * from './roles.js';
export * from './token.js';
export * from './errors.js';
export * from './control.js';
export * from './health.js';
export * from './session.js';
export * from './lifecycle.js';
export * from './webhook-events.js';
