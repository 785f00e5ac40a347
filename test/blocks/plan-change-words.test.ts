import { describe, expect, it } from 'vitest';
import {
  failedPlanChangeText,
  itemPlansOff,
  listNames,
  planChangeAction,
  planChangeText,
  plansOffNames,
  requestPlansOff,
} from '../../blocks/plan-change-words.js';

const PLANS = [
  { id: 'apps', name: 'OFFICESUBSCRIPTION', friendlyName: 'Microsoft 365 Apps' },
  { id: 'exo', name: 'EXCHANGE_S_ENTERPRISE', friendlyName: 'Exchange Online' },
  { id: 'teams', name: 'TEAMS1' },
  { id: 'sway', name: 'SWAY', friendlyName: 'Sway' },
];

describe('plan change words', () => {
  it('names the plans turned off, friendly names first, in catalogue order', () => {
    expect(plansOffNames(PLANS, ['teams', 'apps'])).toEqual(['Microsoft 365 Apps', 'TEAMS1']);
    expect(plansOffNames(PLANS, ['apps', 'gone'])).toEqual(['Microsoft 365 Apps', 'another plan']);
    expect(plansOffNames([], ['apps'])).toBeNull();
    expect(plansOffNames(undefined, ['apps'])).toBeNull();
  });

  it('lists at most two names, then counts', () => {
    expect(listNames(['A'])).toBe('A');
    expect(listNames(['A', 'B'])).toBe('A and B');
    expect(listNames(['A', 'B', 'C'])).toBe('A, B and 1 more plan');
    expect(listNames(['A', 'B', 'C', 'D'])).toBe('A, B and 2 more plans');
  });

  it('says a plan change as what it is, by plan where known', () => {
    const off = ['Microsoft 365 Apps'];
    expect(planChangeText({ users: 13, off, product: 'Office 365 E3' })).toBe(
      'turn off Microsoft 365 Apps for 13 users who have Office 365 E3',
    );
    expect(planChangeText({ users: 1, off, product: 'Office 365 E3' })).toBe(
      'turn off Microsoft 365 Apps for 1 user who has Office 365 E3',
    );
    expect(planChangeText({ users: 13, off })).toBe('turn off Microsoft 365 Apps for 13 who have it');
    expect(planChangeText({ users: 2, off: [] })).toBe('turn on every plan for 2 who have it');
    expect(planChangeText({ users: 2, off: null, product: 'E3' })).toBe(
      'change plans for 2 users who have E3',
    );
  });

  it('says what a run did in the same words, and every name for the CSV', () => {
    const off = ['Microsoft 365 Apps'];
    expect(planChangeText({ users: 2, off, product: '*E3*', done: true })).toBe(
      'Microsoft 365 Apps turned off for 2 users who have *E3*',
    );
    expect(planChangeText({ users: 1, off: [], done: true })).toBe('every plan turned on for 1 who has it');
    expect(planChangeText({ users: 1, off: null, done: true })).toBe('plans changed for 1 who has it');
    expect(planChangeAction(['A', 'B', 'C'])).toBe('turn off A, B and 1 more plan');
    expect(planChangeAction(['A', 'B', 'C'], { all: true })).toBe('turn off A, B, C');
    expect(planChangeAction(null, { all: true })).toBe('change plans');
  });

  it('reads the names stored on the request when planned before a catalogue, and none for other parts', () => {
    const change = { assign: [{ skuId: 'e3', disabledPlans: ['apps'] }], revoke: [] };
    const catalog = new Map([['e3', PLANS]]);
    const stored = { change, planChanges: ['e3'], plansOff: { e3: ['Stored name'] } };
    const old = { change, planChanges: ['e3'] };
    expect(itemPlansOff(stored, 'e3', catalog)).toEqual(['Stored name']);
    expect(itemPlansOff(old, 'e3', catalog)).toEqual(['Microsoft 365 Apps']);
    // A request stored before the names were kept, without a catalogue: "change plans".
    expect(itemPlansOff(old, 'e3')).toBeNull();
    // A new assignment is no plan change.
    expect(itemPlansOff({ change }, 'e3', catalog)).toBeNull();
    expect(requestPlansOff({ items: [] }, 'e3', catalog)).toBeNull();
  });

  it('says a failed plan change by plan, for one user named or a group counted; null when unnamed', () => {
    const off = ['Exchange Online (Plan 2)'];
    expect(failedPlanChangeText({ whom: 'Ava (ava@x)', one: true, off, product: '*E3*' })).toBe(
      'Could not turn off Exchange Online (Plan 2) for Ava (ava@x), who has *E3*',
    );
    expect(failedPlanChangeText({ whom: '2 users', one: false, off: [], product: '*E3*' })).toBe(
      'Could not turn on every plan for 2 users who have *E3*',
    );
    expect(failedPlanChangeText({ whom: '2 users', one: false, off: null, product: '*E3*' })).toBeNull();
  });
});
