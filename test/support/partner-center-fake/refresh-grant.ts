/**
 * The partner's Entra token endpoint for grant_type=refresh_token. Like Entra, it answers every
 * exchange with a new refresh token; a token stays valid until the test revokes it (its 90 days
 * are over, or the user consented again).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send, type TokenRequest, tokenRequestOf } from '../graph-fake/index.js';

export interface RefreshGrantState {
  clientId: string;
  clientSecret: string;
  partnerTenantId: string;
  /** Refresh tokens Entra would accept now. */
  validRefreshTokens: Set<string>;
  refreshTokensPresented: string[];
  refreshTokensIssued: string[];
  tokenRequests: TokenRequest[];
  /** Called with every access token issued. */
  issued: (accessToken: string) => void;
}

export async function refreshGrant(
  state: RefreshGrantState,
  req: IncomingMessage,
  res: ServerResponse,
  tenant: string,
): Promise<void> {
  const { form, grantType, scope, fail } = await tokenRequestOf(req, res, tenant, state.tokenRequests);
  if (tenant !== state.partnerTenantId) {
    return fail(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
  }
  if (form.get('client_id') !== state.clientId) {
    return fail(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant}'.`,
    );
  }
  if (form.get('client_secret') !== state.clientSecret) {
    return fail(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
  }
  if (grantType !== 'refresh_token') {
    return fail(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType}'.`,
    );
  }
  const presented = form.get('refresh_token') ?? '';
  state.refreshTokensPresented.push(presented);
  if (!state.validRefreshTokens.has(presented)) {
    return fail(400, 'invalid_grant', 70000, 'Provided grant is invalid or malformed.');
  }
  const accessToken = `fake-${tenant}-${randomUUID()}`;
  state.issued(accessToken);
  const rotated = `pc-fake-refresh-token-${state.refreshTokensIssued.length + 1}-${randomUUID()}`;
  state.validRefreshTokens.add(rotated);
  state.refreshTokensIssued.push(rotated);
  state.tokenRequests.push({ tenant, grantType, scope, ok: true });
  send(res, 200, {
    token_type: 'Bearer',
    scope: scope.split(' ')[0],
    expires_in: 3599,
    ext_expires_in: 3599,
    access_token: accessToken,
    refresh_token: rotated,
  });
}
