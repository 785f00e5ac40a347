import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { isCodedError } from '../src/errors.js';
import { RequestNotRunnableError } from '../src/licensing/licensing-service.js';
import { ProviderStartError } from '../src/providers/create-provider.js';
import { HttpError } from '../src/providers/http.js';
import { SlackStartError } from '../src/slack/verify-token.js';
import { StoreError, StoreUnavailableError } from '../src/store/store.js';

describe('errors that cross layers', () => {
  it('each carries a stable, layer-prefixed code', () => {
    const config = (() => {
      try {
        loadConfig({});
      } catch (error) {
        return error;
      }
      throw new Error('an empty environment was accepted');
    })();
    const errors: unknown[] = [
      config,
      new StoreError('corrupt', { code: 'store_corrupt' }),
      new StoreUnavailableError('disk full'),
      new ProviderStartError('provider_auth_refused', 'refused'),
      new HttpError('timed out', 'timeout', 0, undefined, undefined),
      new SlackStartError('slack_unreachable', 'unreachable'),
      new RequestNotRunnableError('gone'),
    ];
    expect(config).toBeInstanceOf(ConfigError);
    expect(errors.map((error) => (isCodedError(error) ? error.code : null))).toEqual([
      'config_invalid',
      'store_corrupt',
      'store_unavailable',
      'provider_auth_refused',
      'http_timeout',
      'slack_unreachable',
      'licensing_not_runnable',
    ]);
  });

  it('an error without a code is not a coded one', () => {
    expect(isCodedError(new Error('plain'))).toBe(false);
    expect(isCodedError(Object.assign(new Error('numeric'), { code: 42 }))).toBe(false);
    expect(isCodedError({ code: 'config_invalid', message: 'not an Error' })).toBe(false);
  });
});
