/**
 * A local Microsoft Graph v1.0 + Entra token endpoint, built from the wire formats of
 * reference/microsoft-licensing-api.md §1, split by resource: tenants and fixtures, the licensing
 * rules (shared with the Partner Center fake), Entra's token endpoint, /users, /subscribedSkus,
 * $batch, and the server that puts them behind a port.
 */
export * from './directory.js';
export * from './entra.js';
export * from './graph-auth.js';
export * from './http-kit.js';
export * from './licensing-rules.js';
export * from './msal-network.js';
export * from './odata.js';
export * from './server.js';
export * from './tenant.js';
