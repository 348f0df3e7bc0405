// Every module's tables, for Drizzle's typed queries and drizzle-kit's migration generator.
export * from '../modules/regions/schema.js';
export * from '../modules/accounts/schema.js';
export * from '../modules/audit/schema.js';
export * from '../modules/events/schema.js';
export * from '../modules/registry/schema.js';
export * from '../modules/organisations/schema.js';
export * from '../modules/timeline/schema.js';
export * from '../modules/facilities/schema.js';
export * from '../modules/evaluation/schema.js';
export * from '../modules/grid/schema.js';
export * from '../modules/deadlines/schema.js';
export * from '../modules/democracy/schema.js';
export * from '../modules/democracy/deliberation-schema.js';
export * from '../modules/democracy/elections-schema.js';
export * from '../modules/democracy/supervision-schema.js';
export * from '../modules/devices/schema.js';
export * from '../modules/notifications/schema.js';
