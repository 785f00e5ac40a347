/**
 * User typeahead on a 100,000-user customer: ~1,000 realistic queries (1–4 character prefixes of
 * first and last names, e-mail prefixes, "first l" pairs), first page of 100 as Slack's
 * external_select shows. Prints p50/p99 per query for the demo provider's index and for a linear
 * scan over every user (the baseline), measured in the same run. Target: p99 ≤ 50 ms.
 */
import { pathToFileURL } from 'node:url';
import type { TenantUser } from '../src/licensing/model.js';
import { DemoProvider } from '../src/providers/demo/demo-provider.js';
import { generateCustomer } from '../src/providers/demo/generator.js';
import { SeededRandom } from '../src/providers/demo/seeded-random.js';
import { compareUsers, normalizeText, queryWords } from '../src/providers/demo/user-index.js';

const USERS = 100_000;
const QUERIES = 1000;
/** The scan is slow; it runs on the first queries of the same list. */
const BASELINE_QUERIES = 200;
const PAGE = 100;
const CUSTOMER_ID = 'bench-typeahead';

export async function run(): Promise<void> {
  const data = generateCustomer({ seed: 100, users: USERS, id: CUSTOMER_ID });
  const provider = new DemoProvider({ data: { version: 1, customers: [data] } });
  const queries = realisticQueries(data.users, QUERIES);

  const buildStarted = performance.now();
  await provider.searchUsers(CUSTOMER_ID, { query: 'warm', offset: 0, limit: PAGE });
  const buildMs = performance.now() - buildStarted;

  const ours: number[] = [];
  const totals: number[] = [];
  for (const query of queries) {
    const started = performance.now();
    const page = await provider.searchUsers(CUSTOMER_ID, { query, offset: 0, limit: PAGE });
    ours.push(performance.now() - started);
    totals.push(page.total);
  }

  const scan: number[] = [];
  let disagreements = 0;
  for (const [i, query] of queries.slice(0, BASELINE_QUERIES).entries()) {
    const started = performance.now();
    const page = linearScan(data.users, query, PAGE);
    scan.push(performance.now() - started);
    if (page.total !== totals[i]) disagreements++;
  }

  const meanMatches = totals.reduce((sum, total) => sum + total, 0) / totals.length;
  console.log(
    `typeahead on a ${USERS.toLocaleString('en')}-user customer: ${QUERIES} queries (name prefixes of 1–4 characters, e-mail prefixes, "first l"), first page of ${PAGE}; ${Math.round(meanMatches)} matches per query on average`,
  );
  console.log(`  index build (once per customer): ${buildMs.toFixed(0)} ms`);
  console.log(`  ours (index):       ${summary(ours)}  (target p99 ≤ 50 ms)`);
  console.log(`  baseline (scan):    ${summary(scan)}  (first ${BASELINE_QUERIES} queries)`);
  console.log(
    `  → p50 ${(percentile(scan, 50) / percentile(ours, 50)).toFixed(0)}× and p99 ${(percentile(scan, 99) / percentile(ours, 99)).toFixed(0)}× faster; totals ${disagreements === 0 ? 'agree' : `DISAGREE on ${disagreements} queries`}`,
  );
}

/** What a search without an index does on every keystroke. */
function linearScan(users: readonly TenantUser[], query: string, limit: number) {
  const words = queryWords(query);
  const matches = users.filter((user) => {
    const email = user.email.toLowerCase();
    const name = normalizeText(user.displayName).split(/[\s\-'’.]+/);
    return words.every((word) => email.startsWith(word) || name.some((token) => token.startsWith(word)));
  });
  matches.sort(compareUsers);
  return { users: matches.slice(0, limit), total: matches.length };
}

function realisticQueries(users: readonly TenantUser[], count: number): string[] {
  const random = new SeededRandom(7);
  const queries: string[] = [];
  while (queries.length < count) {
    const user = random.pick(users);
    const [first = '', last = ''] = user.displayName.split(' ');
    const length = 1 + random.int(4);
    const kind = random.next();
    if (kind < 0.4) queries.push(first.slice(0, length));
    else if (kind < 0.7) queries.push(last.slice(0, length));
    else if (kind < 0.9) queries.push(user.email.slice(0, 3 + random.int(10)));
    else queries.push(`${first} ${last.slice(0, 1)}`);
  }
  return queries;
}

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function summary(samples: readonly number[]): string {
  return `p50 ${percentile(samples, 50).toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms, max ${Math.max(...samples).toFixed(2)} ms`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
