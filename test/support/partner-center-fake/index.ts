/**
 * A local Partner Center REST API + Entra token endpoint (refresh-token grant), split by part:
 * the answers' JSON, collection paging, the customers tree, licenseupdates, the refresh-token
 * grant, and the server that puts them behind a port.
 */
export * from './answers.js';
export * from './license-update.js';
export * from './server.js';
