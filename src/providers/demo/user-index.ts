/**
 * The user search index of one customer, built once: display-name words map to sorted runs of
 * postings and e-mails sit in one sorted array, so a prefix is two binary searches and a
 * contiguous range instead of a scan over every user per keystroke.
 */
import type { TenantUser } from '../../licensing/model.js';

const PLAIN = /^[\x20-\x7e]*$/;

/** Lower case without diacritics, so "jose" finds "José". */
export function normalizeText(text: string): string {
  if (PLAIN.test(text)) return text.toLowerCase();
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** The display-name tokens a user is found by: each word and its hyphen/apostrophe parts. */
export function nameTokens(displayName: string): string[] {
  const tokens = new Set<string>();
  for (const word of normalizeText(displayName).split(/\s+/)) {
    if (word === '') continue;
    tokens.add(word);
    for (const part of word.split(/[-'’.]+/)) if (part !== '') tokens.add(part);
  }
  return [...tokens];
}

/** The words of a query, each of which must prefix a name token or the e-mail of a matching user. */
export function queryWords(query: string): string[] {
  return normalizeText(query)
    .split(/\s+/)
    .filter((word) => word !== '')
    .slice(0, 8);
}

/** The providers' stable user order: display name (case- and accent-insensitive), then id. */
export function compareUsers(a: TenantUser, b: TenantUser): number {
  return compareKeys(normalizeText(a.displayName), a, normalizeText(b.displayName), b);
}

function compareKeys(keyA: string, a: TenantUser, keyB: string, b: TenantUser): number {
  if (keyA !== keyB) return keyA < keyB ? -1 : 1;
  if (a.displayName !== b.displayName) return a.displayName < b.displayName ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

/** Lowest index whose value is >= key. */
function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const value = sorted[mid];
    if (value !== undefined && value < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The item at an index the caller knows to be in range. */
function at<T>(items: ArrayLike<T>, index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`index ${index} is out of range`);
  return item;
}

export class UserIndex {
  /** Users in stable order; a user's position is its rank. */
  private readonly sorted: TenantUser[];
  private readonly rankById = new Map<string, number>();
  /** Unique display-name tokens, sorted by code unit. */
  private readonly tokens: string[];
  /** The ranks of the users of tokens[i] are postings[starts[i] .. starts[i + 1]). */
  private readonly starts: Int32Array;
  private readonly postings: Int32Array;
  /** Lower-cased e-mails, sorted, with the rank of each. */
  private readonly emails: string[];
  private readonly emailRanks: Int32Array;
  /** Per query: how many query words each rank has matched so far. */
  private readonly matched: Uint8Array;

  constructor(users: readonly TenantUser[]) {
    const { sorted, tokensOfRank } = orderByName(users);
    this.sorted = sorted;
    sorted.forEach((user, rank) => {
      this.rankById.set(user.id, rank);
    });
    ({ tokens: this.tokens, starts: this.starts, postings: this.postings } = postingsOf(tokensOfRank));
    ({ emails: this.emails, ranks: this.emailRanks } = emailsOf(sorted));
    this.matched = new Uint8Array(sorted.length);
  }

  get size(): number {
    return this.sorted.length;
  }

  byId(id: string): TenantUser | undefined {
    const rank = this.rankById.get(id);
    return rank === undefined ? undefined : this.sorted[rank];
  }

  rankOf(id: string): number | undefined {
    return this.rankById.get(id);
  }

  /** The user with exactly this e-mail, ignoring case. */
  byEmail(email: string): TenantUser | undefined {
    const key = normalizeText(email.trim());
    if (key === '') return undefined;
    const found = lowerBound(this.emails, key);
    return this.emails[found] === key ? this.sorted[at(this.emailRanks, found)] : undefined;
  }

  /** One page of the users matching every word of the query by prefix, in stable order. */
  search(query: string, offset: number, limit: number): { users: TenantUser[]; total: number } {
    const words = queryWords(query);
    const start = Math.max(0, offset);
    const end = start + Math.max(0, limit);
    if (words.length === 0) return { users: this.sorted.slice(start, end), total: this.sorted.length };

    const matched = this.matched;
    matched.fill(0);
    let fewest: [[number, number], [number, number]] | undefined;
    let fewestCount = Number.POSITIVE_INFINITY;
    for (const [i, word] of words.entries()) {
      const upper = `${word}\uffff`;
      const names: [number, number] = [
        at(this.starts, lowerBound(this.tokens, word)),
        at(this.starts, lowerBound(this.tokens, upper)),
      ];
      const emails: [number, number] = [lowerBound(this.emails, word), lowerBound(this.emails, upper)];
      for (const rank of this.postings.subarray(names[0], names[1])) {
        if (matched[rank] === i) matched[rank] = i + 1;
      }
      for (const rank of this.emailRanks.subarray(emails[0], emails[1])) {
        if (matched[rank] === i) matched[rank] = i + 1;
      }
      const count = names[1] - names[0] + emails[1] - emails[0];
      if (count < fewestCount) {
        fewestCount = count;
        fewest = [names, emails];
      }
    }

    const users: TenantUser[] = [];
    let total = 0;
    const all = words.length;
    // Few candidates: sort them; many: walk every rank, which is in order already.
    if (fewest !== undefined && fewestCount * 8 < matched.length) {
      const [[nameFrom, nameTo], [emailFrom, emailTo]] = fewest;
      const candidates = new Int32Array(fewestCount);
      candidates.set(this.postings.subarray(nameFrom, nameTo));
      candidates.set(this.emailRanks.subarray(emailFrom, emailTo), nameTo - nameFrom);
      candidates.sort();
      for (const rank of candidates) {
        if (matched[rank] !== all) continue;
        matched[rank] = 0; // counted once, however many of its tokens matched
        if (total >= start && total < end) users.push(at(this.sorted, rank));
        total += 1;
      }
    } else {
      for (let rank = matched.indexOf(all); rank >= 0; rank = matched.indexOf(all, rank + 1)) {
        if (total >= start && total < end) users.push(at(this.sorted, rank));
        total += 1;
      }
    }
    return { users, total };
  }
}

/**
 * Users in stable order, with each one's name tokens. Display names repeat a lot in a large
 * workforce: each distinct one is normalised, tokenised and sorted once, then its users by id.
 */
function orderByName(users: readonly TenantUser[]): { sorted: TenantUser[]; tokensOfRank: string[][] } {
  const byName = new Map<string, { key: string; tokens: string[]; users: TenantUser[] }>();
  for (const user of users) {
    const entry = byName.get(user.displayName);
    if (entry === undefined) {
      const key = normalizeText(user.displayName);
      byName.set(user.displayName, { key, tokens: nameTokens(user.displayName), users: [user] });
    } else entry.users.push(user);
  }
  const names = [...byName.entries()].sort(([nameA, a], [nameB, b]) =>
    a.key !== b.key ? (a.key < b.key ? -1 : 1) : nameA < nameB ? -1 : nameA > nameB ? 1 : 0,
  );
  const sorted: TenantUser[] = [];
  const tokensOfRank: string[][] = [];
  for (const [, entry] of names) {
    entry.users.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const user of entry.users) {
      sorted.push(user);
      tokensOfRank.push(entry.tokens);
    }
  }
  return { sorted, tokensOfRank };
}

/** The sorted unique tokens and, per token, the run of ranks of the users it finds. */
function postingsOf(tokensOfRank: readonly string[][]): {
  tokens: string[];
  starts: Int32Array;
  postings: Int32Array;
} {
  // Ranks are added in increasing order, so every token's postings come out sorted.
  const postingsByToken = new Map<string, number[]>();
  let postingCount = 0;
  tokensOfRank.forEach((tokens, rank) => {
    for (const token of tokens) {
      const ranks = postingsByToken.get(token);
      if (ranks === undefined) postingsByToken.set(token, [rank]);
      else ranks.push(rank);
      postingCount += 1;
    }
  });
  const byToken = [...postingsByToken].sort(([a], [b]) => (a < b ? -1 : 1));
  const starts = new Int32Array(byToken.length + 1);
  const postings = new Int32Array(postingCount);
  let next = 0;
  byToken.forEach(([, ranks], i) => {
    starts[i] = next;
    postings.set(ranks, next);
    next += ranks.length;
  });
  starts[byToken.length] = next;
  return { tokens: byToken.map(([token]) => token), starts, postings };
}

/** The users' lower-cased e-mails, sorted (ties by rank), with the rank of each. */
function emailsOf(sorted: readonly TenantUser[]): { emails: string[]; ranks: Int32Array } {
  const byEmail = sorted
    .map((user, rank) => ({ email: normalizeText(user.email), rank }))
    .sort((a, b) => (a.email === b.email ? a.rank - b.rank : a.email < b.email ? -1 : 1));
  return { emails: byEmail.map(({ email }) => email), ranks: Int32Array.from(byEmail, ({ rank }) => rank) };
}
