/**
 * Users by id as the Slack views show them, kept for a short while: every render of the users step
 * shows the whole selection sorted, and on Graph a selection of 1,000 users is 72 requests
 * (`id in (…)` takes 15 ids). Within the time-to-live a page turn reads only the users it has not
 * seen. Planning never reads through it: a change is planned against the directory as it is.
 */
import { LRUCache } from 'lru-cache';
import { compareUsers } from '../providers/license-provider.js';
import type { TenantUser } from './model.js';

export interface UserCacheOptions {
  ttlMs: number;
  max: number;
  now?: () => number;
}

export class UserCache {
  readonly #users: LRUCache<string, TenantUser>;

  constructor(options: UserCacheOptions) {
    const { now } = options;
    this.#users = new LRUCache<string, TenantUser>({
      max: options.max,
      ttl: options.ttlMs,
      // An injected clock is read at every look-up (lru-cache otherwise reuses a reading for 1 ms).
      ttlResolution: 0,
      ...(now ? { perf: { now } } : {}),
    });
  }

  /** The users of `userIds` (unknown ids left out, port order), reading only those not kept. */
  async get(
    customerId: string,
    userIds: readonly string[],
    read: (missing: string[]) => Promise<TenantUser[]>,
  ): Promise<TenantUser[]> {
    const key = (id: string) => `${customerId}\u0000${id}`;
    const kept: TenantUser[] = [];
    const missing: string[] = [];
    for (const id of new Set(userIds)) {
      const user = this.#users.get(key(id));
      if (user === undefined) missing.push(id);
      else kept.push(user);
    }
    const fetched = missing.length === 0 ? [] : await read(missing);
    for (const user of fetched) this.#users.set(key(user.id), user);
    return [...kept, ...fetched].sort(compareUsers);
  }
}
