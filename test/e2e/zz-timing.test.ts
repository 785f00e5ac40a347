import { it } from 'vitest';
import { startSlackFake } from '../support/slack-fake.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { testTenant } from '../support/app-harness.js';
import { DemoProvider } from '../../src/providers/demo/demo-provider.js';
import { validateModalView } from '../support/block-kit.js';
it('t', async () => {
  let t = performance.now();
  const out: string[] = [];
  const lap = (what: string) => { const n = performance.now(); out.push(`${what} ${Math.round(n - t)}`); t = n; };
  const fake = await startSlackFake(); lap('fake');
  const data = testTenant(); lap('tenant');
  new DemoProvider({ data }); lap('provider');
  const store = new LowdbStore({ dataDir: '/tmp/zz-store' }); await store.open(); lap('store');
  validateModalView({}); lap('ajv');
  await fake.close(); await store.close();
  process.stderr.write(`TIMING ${out.join(', ')}\n`);
});
