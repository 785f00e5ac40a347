/** A request's users by name, as the thread names them. */
import type { ChangeRequest } from '../src/licensing/model.js';
import { escapeMrkdwn, oneLine, truncate } from './limits.js';

/** Names listed in one line of the thread before "and N more". */
export const NAMES_PER_LINE = 25;

export interface Person {
  name: string;
  email: string;
}

/** The request's users by id, with the names the thread shows. */
export function people(request: Pick<ChangeRequest, 'items'>): Map<string, Person> {
  return new Map(request.items.map((i) => [i.userId, { name: i.displayName, email: i.email }]));
}

/** A user's name (and e-mail when asked and different), escaped for mrkdwn. */
export function personText(map: Map<string, Person>, userId: string, withEmail: boolean): string {
  const p = map.get(userId);
  const name = truncate(oneLine(p?.name || p?.email || 'unnamed user'), 80);
  const email = p?.email ? truncate(oneLine(p.email), 80) : '';
  return escapeMrkdwn(withEmail && email && email !== name ? `${name} (${email})` : name);
}

/** Sorts people by name, case-insensitively. */
export function sortKey(map: Map<string, Person>, userId: string): string {
  return (map.get(userId)?.name ?? userId).toLocaleLowerCase();
}

/** Orders user ids by name, case-insensitively (sortKey). */
export function byName(map: Map<string, Person>): (a: string, b: string) => number {
  return (a, b) => sortKey(map, a).localeCompare(sortKey(map, b));
}
