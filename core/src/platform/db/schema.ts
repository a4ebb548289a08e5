// Every module's tables, gathered for drizzle's relational API and drizzle-kit.
export * from '../../modules/access/access.tables.js';
export * from '../../modules/audit/audit.tables.js';
export * from '../../modules/nodes/nodes.tables.js';
