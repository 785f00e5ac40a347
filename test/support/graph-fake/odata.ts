/**
 * The OData subset the Graph fake reads: $filter (startswith / eq / in, joined by "or"; licence
 * filters assignedLicenses/any(x:x/skuId eq {guid}) and assignedLicenses/$count eq 0; eq null) and
 * $search ("prop:term" OR …).
 */
import type { FakeUser } from './tenant.js';

function prop(user: FakeUser, name: string): string | null {
  switch (name) {
    case 'id':
      return user.id;
    case 'displayName':
      return user.displayName;
    case 'userPrincipalName':
      return user.userPrincipalName;
    case 'mail':
      return user.mail ?? null;
    case 'usageLocation':
      return user.usageLocation;
    default:
      return null;
  }
}

function splitTopLevel(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" && text[i + 1] === "'" && quoted) {
      i++;
      continue;
    }
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0) {
      const rest = text.slice(i);
      const match = separator.exec(rest);
      if (match && match.index === 0) {
        parts.push(text.slice(start, i));
        i += match[0].length - 1;
        start = i + 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

function literals(text: string): string[] {
  return [...text.matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] ?? '').replace(/''/g, "'"));
}

const ANY_SKU = /^assignedLicenses\/any\((\w+):\1\/skuId\s+eq\s+([0-9a-f-]{36})\)$/i;
const COUNT_ZERO = /^assignedLicenses\/\$count\s+eq\s+0$/i;
const EQ_NULL = /^(\w+)\s+eq\s+null$/i;

/** Clauses Graph answers only as advanced queries (ConsistencyLevel: eventual and $count=true). */
export function needsAdvanced(filter: string): boolean {
  return splitTopLevel(filter, /^\s+or\s+/i).some((c) => COUNT_ZERO.test(c) || EQ_NULL.test(c));
}

/** assignedLicenses holds group-inherited licences too. */
function licenceClause(clause: string): ((user: FakeUser) => boolean) | null {
  const any = ANY_SKU.exec(clause);
  if (any) {
    const sku = (any[2] ?? '').toLowerCase();
    return (u) => u.licenses.some((l) => l.skuId === sku);
  }
  if (COUNT_ZERO.test(clause)) return (u) => u.licenses.length === 0;
  const isNull = EQ_NULL.exec(clause);
  if (isNull) {
    const name = isNull[1] ?? '';
    return (u) => prop(u, name) === null;
  }
  return null;
}

export function parseFilter(filter: string): ((user: FakeUser) => boolean) | null {
  const clauses = splitTopLevel(filter, /^\s+or\s+/i);
  const predicates: Array<(user: FakeUser) => boolean> = [];
  for (const clause of clauses) {
    const licence = licenceClause(clause);
    if (licence) {
      predicates.push(licence);
      continue;
    }
    const starts = /^startswith\((\w+),\s*'((?:[^']|'')*)'\)$/i.exec(clause);
    const eq = /^(\w+)\s+eq\s+'((?:[^']|'')*)'$/i.exec(clause);
    const inList = /^(\w+)\s+in\s+\((.*)\)$/i.exec(clause);
    if (starts) {
      const [, name = '', value = ''] = starts;
      const v = value.replace(/''/g, "'").toLowerCase();
      predicates.push((u) => (prop(u, name) ?? '').toLowerCase().startsWith(v));
    } else if (eq) {
      const [, name = '', value = ''] = eq;
      const v = value.replace(/''/g, "'").toLowerCase();
      predicates.push((u) => (prop(u, name) ?? '').toLowerCase() === v);
    } else if (inList) {
      const [, name = '', list = ''] = inList;
      const values = literals(list).map((v) => v.toLowerCase());
      if (values.length > 15) return null;
      predicates.push((u) => values.includes((prop(u, name) ?? '').toLowerCase()));
    } else {
      return null;
    }
  }
  return (user) => predicates.some((p) => p(user));
}

/** Tokenized prefix matching, as Graph does for $search on directory objects. */
export function parseSearch(search: string): ((user: FakeUser) => boolean) | null {
  const terms = [...search.matchAll(/"(\w+):([^"]*)"/g)].map((m) => ({
    name: m[1] ?? '',
    term: (m[2] ?? '').toLowerCase().trim(),
  }));
  if (terms.length === 0) return null;
  return (user) =>
    terms.some(({ name, term }) => {
      const value = (prop(user, name) ?? '').toLowerCase();
      if (value.startsWith(term)) return true;
      return value.split(/[^a-z0-9]+/).some((token) => token.length > 0 && token.startsWith(term));
    });
}
