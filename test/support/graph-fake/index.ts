/**
 * A local Microsoft Graph v1.0 + Entra token endpoint, built from the wire formats of
 * reference/microsoft-licensing-api.md §1, split by resource: tenants and fixtures, the licensing
 * rules (shared with the Partner Center fake), Entra's token endpoint, /users, /subscribedSkus,
 * $batch, and the server that puts them behind a port.
 */
export { handleLogin, type LoginOptions, type TokenRequest } from './entra.js';
export {
  closeServer,
  type FakeFailure,
  flatHeaders,
  listen,
  readText,
  send,
  takeFailure,
} from './http-kit.js';
export { applyLicenseChange, consumedUnits, MESSAGES, type RuleFailure } from './licensing-rules.js';
export { plainHttpNetworkClient } from './msal-network.js';
export { parseFilter, parseSearch } from './odata.js';
export { type GraphFake, type GraphFakeOptions, type RecordedRequest, startGraphFake } from './server.js';
export {
  demoSkus,
  type FakeServicePlan,
  type FakeSku,
  type FakeTenant,
  type FakeUser,
  type FakeUserLicense,
  makeTenant,
  PLAN,
  SKU,
} from './tenant.js';
