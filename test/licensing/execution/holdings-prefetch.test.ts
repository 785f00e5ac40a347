import { describe, expect, it } from 'vitest';
import { type Holdings, HoldingsPrefetch } from '../../../src/licensing/execution/holdings-prefetch.js';
import { LicenseProviderError } from '../../../src/providers/license-provider.js';

function prefetch(userCount: number, batchSize: number, fail = false) {
  const reads: string[][] = [];
  const users = Array.from({ length: userCount }, (_, i) => `u${i}`);
  const holdings = new HoldingsPrefetch(users, batchSize, async (ids): Promise<Holdings> => {
    reads.push(ids);
    if (fail) return { ok: false, error: new LicenseProviderError('provider_error', 'down') };
    return { ok: true, holdings: new Map(ids.map((id) => [id, []])) };
  });
  return { holdings, reads };
}

describe('HoldingsPrefetch', () => {
  it('reads each batch once and the next one ahead', async () => {
    const { holdings, reads } = prefetch(7, 3);
    const first = await holdings.at(0);
    expect(first.ok && [...first.holdings.keys()]).toEqual(['u0', 'u1', 'u2']);
    const batches = () => reads.map((ids) => ids.join(' ')).sort();
    expect(batches()).toEqual(['u0 u1 u2', 'u3 u4 u5']);
    await holdings.at(2);
    await holdings.at(4);
    expect(batches()).toEqual(['u0 u1 u2', 'u3 u4 u5', 'u6']);
    await holdings.at(6);
    expect(reads).toHaveLength(3);
  });

  it('hands a failed batch to each of its users', async () => {
    const { holdings, reads } = prefetch(4, 2, true);
    expect((await holdings.at(0)).ok).toBe(false);
    expect((await holdings.at(1)).ok).toBe(false);
    expect(reads).toHaveLength(2);
  });
});
