/**
 * Graph's user search for the typeahead and the user picker: $search over display name, mail and
 * UPN with $count, sorted by display name, paged through @odata.nextLink. A search's fetched pages
 * and next link are kept for a while, so the next page of the same query continues where the last
 * one stopped instead of starting again (Graph has no $skip for users).
 */
import { LRUCache } from 'lru-cache';
import type { TenantUser } from '../../licensing/model.js';
import type { UserPage, UserQuery } from '../license-provider.js';
import type { GraphClient } from './graph-client.js';
import { toTenantUser } from './graph-mapping.js';
import { GraphUserPage, USER_SELECT } from './graph-wire.js';

export interface UserSearchOptions {
  /** $top of user pages (Graph's maximum is 999). */
  pageSize: number;
  /** How long a search's fetched pages and next link are reused for paging. */
  ttlMs: number;
  /** How many searches are kept (every keystroke of a typeahead is one). */
  max: number;
  now?: () => number;
}

interface SearchState {
  users: TenantUser[];
  nextLink: string | undefined;
  total: number;
  /** The pages of one search are fetched one after another: each follows the previous next link. */
  lock: Promise<unknown>;
}

const ADVANCED = { ConsistencyLevel: 'eventual' };

export class UserSearches {
  private readonly searches: LRUCache<string, SearchState>;

  constructor(
    private readonly client: GraphClient,
    private readonly options: UserSearchOptions,
  ) {
    const now = options.now;
    this.searches = new LRUCache<string, SearchState>({
      max: options.max,
      ttl: options.ttlMs,
      // The clock is read at every look-up (lru-cache's default reuses a reading for 1 ms of real
      // time, which an injected clock does not follow); a read is cheap next to a Graph call.
      ttlResolution: 0,
      ...(now ? { perf: { now } } : {}),
    });
  }

  async page(tenantId: string, query: UserQuery): Promise<UserPage> {
    const term = query.query.replace(/["\\]/g, '').trim();
    const key = `${tenantId}\u0000${term.toLowerCase()}`;
    const search = this.searches.get(key) ?? this.start(key, term);
    const want = query.offset + query.limit;
    const work = search.lock.then(() => this.fill(tenantId, search, want));
    search.lock = work.catch(() => undefined);
    try {
      await work;
    } catch (error) {
      this.searches.delete(key);
      throw error;
    }
    return { users: search.users.slice(query.offset, want), total: search.total };
  }

  private start(key: string, term: string): SearchState {
    const search = { users: [], nextLink: this.firstUrl(term), total: 0, lock: Promise.resolve() };
    this.searches.set(key, search);
    return search;
  }

  /** Follows next links until `want` users are in, or the last page. */
  private async fill(tenantId: string, search: SearchState, want: number): Promise<void> {
    let first = search.users.length === 0 && search.total === 0;
    while ((first || search.users.length < want) && search.nextLink) {
      const page = await this.client.read(tenantId, search.nextLink, GraphUserPage, ADVANCED);
      if (first) search.total = page['@odata.count'] ?? 0;
      first = false;
      search.users.push(...page.value.map(toTenantUser));
      search.nextLink = page['@odata.nextLink'];
    }
    if (search.nextLink === undefined) search.total = Math.max(search.total, search.users.length);
  }

  private firstUrl(term: string): string {
    const params = [
      `$select=${USER_SELECT}`,
      '$count=true',
      `$top=${this.options.pageSize}`,
      '$orderby=displayName',
    ];
    if (term !== '') {
      const clauses = ['displayName', 'mail', 'userPrincipalName'].map((p) => `"${p}:${term}"`).join(' OR ');
      params.push(`$search=${encodeURIComponent(clauses)}`);
    }
    return `/users?${params.join('&')}`;
  }
}
