/** Options for the options-load replies (external selects): ≤ 100 options, text ≤ 75, value = the id. */
import type { PlainTextOption } from '@slack/types';
import type { Customer, TenantUser } from '../src/licensing/model.js';
import { option } from './elements.js';
import { limits, truncate } from './limits.js';

/**
 * One customer as an option: its name (and domain when it has one), then its user count when
 * the provider gives it ("Contoso (contoso.com) · 1,200 users"); the name is cut before the count
 * to stay within 75 characters. Value = customer id.
 */
export function customerOption(
  customer: Pick<Customer, 'id' | 'name'> & { domain?: string; userCount?: number },
): PlainTextOption {
  const name = customer.domain ? `${customer.name} (${customer.domain})` : customer.name;
  const count = customer.userCount;
  const users =
    count === undefined ? '' : ` · ${count.toLocaleString('en-US')} ${count === 1 ? 'user' : 'users'}`;
  return option(truncate(name, limits.optionText - users.length) + users, customer.id);
}

/** Customers → at most 100 options, in the given order. */
export function customerOptions(customers: readonly Customer[]): PlainTextOption[] {
  return customers.slice(0, limits.optionsLoad).map(customerOption);
}

/** One user as an option: "Name (email)" truncated to 75, value = user id. */
export function userOption(user: Pick<TenantUser, 'id' | 'displayName' | 'email'>): PlainTextOption {
  const name = user.displayName.trim() || user.email;
  const text = user.email && user.email !== name ? `${name} (${user.email})` : name;
  return option(text, user.id);
}

/** Users → at most 100 options, in the given order. */
export function userOptions(users: readonly TenantUser[]): PlainTextOption[] {
  return users.slice(0, limits.optionsLoad).map(userOption);
}
