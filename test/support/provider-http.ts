/** For the provider tests: HTTP behaviour that never waits, with every wait it would have made recorded. */
import type { RemoteProviderOptions } from '../../src/providers/remote-provider-options.js';

type ProviderHttp = NonNullable<RemoteProviderOptions['http']>;

/** `http` options for a provider under test, and the waits (ms) its back-off asked for, in order; `extra` on top. */
export function recordedWaits(extra: Omit<ProviderHttp, 'sleep'> = {}): {
  http: ProviderHttp;
  waits: number[];
} {
  const waits: number[] = [];
  const http: ProviderHttp = {
    backoffMs: 1,
    // The shared backoff's jitter at its low end: Retry-After exactly, else half the ceiling.
    random: () => 0,
    ...extra,
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
  return { http, waits };
}
