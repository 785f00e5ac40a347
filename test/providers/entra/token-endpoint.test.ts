import { describe, expect, it } from 'vitest';
import { entraErrorLine, tokenEndpoint } from '../../../src/providers/entra/token-endpoint.js';

describe('Entra token endpoint', () => {
  it('is the tenant’s v2.0 token URL under the login base URL, with or without a trailing slash', () => {
    expect(tokenEndpoint('https://login.microsoftonline.com', 'contoso.onmicrosoft.com')).toBe(
      'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
    );
    expect(tokenEndpoint('http://127.0.0.1:4000//', 'a b')).toBe(
      'http://127.0.0.1:4000/a%20b/oauth2/v2.0/token',
    );
  });

  it('shows the AADSTS line of a refusal without its trace and correlation ids', () => {
    const described =
      'AADSTS70000: Provided grant is invalid or malformed.\r\nTrace ID: 1f\r\nCorrelation ID: 2e\r\nTimestamp: 2025';
    expect(entraErrorLine(described)).toBe('AADSTS70000: Provided grant is invalid or malformed.');
    expect(entraErrorLine('invalid_client: AADSTS7000215: Invalid client secret provided. Trace ID: 9')).toBe(
      'AADSTS7000215: Invalid client secret provided.',
    );
    expect(entraErrorLine('  network down  \nmore')).toBe('network down');
    expect(entraErrorLine('')).toBe('');
  });
});
