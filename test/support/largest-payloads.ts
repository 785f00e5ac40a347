/**
 * The largest requests LicenseDesk can legitimately receive, built as Slack builds them: our
 * biggest views rendered by blocks/ with realistic worst-case data (long names, full selections,
 * every box ticked, text inputs full), wrapped in the interaction payload Slack posts
 * (`view` with `state.values`, user, team…) and form-encoded as `payload=<json>`. The body cap of
 * the HTTP receiver is checked against these sizes (test/slack/body-limit.test.ts).
 */
import type { KnownBlock, ModalView } from '@slack/types';
import { renderLicensesStep } from '../../blocks/licenses-step.js';
import { renderProductHolders } from '../../blocks/product-holders.js';
import { renderSelectedUsers } from '../../blocks/selected-users.js';
import { renderServicePlans } from '../../blocks/service-plans.js';
import { renderUsersStep } from '../../blocks/users-step.js';
import type { ProductOverview } from '../../src/licensing/licensing-service.js';
import type { Product, TenantUser } from '../../src/licensing/model.js';
import { stateFor, viewElements } from './slack-fake/view-state.js';
import type { EnteredValues, SlackObject } from './slack-fake.js';

const DRAFT_ID = 'drf_abcdefghij';
const LONG = 'Ünïcödé-Ñåmé Wörkspàce Ådmînisträtör';

/** A user whose name and e-mail are as long as directory entries get (with non-ASCII letters). */
function longUser(i: number): TenantUser {
  const n = String(i).padStart(5, '0');
  return {
    id: `${'0'.repeat(8)}-aaaa-4bbb-8ccc-${n.padStart(12, '0')}`,
    displayName: `${LONG} ${n} (Contoso Holdings International Ltd.)`.slice(0, 100),
    email: `first.middle.lastname.${n}@subsidiary.contoso-holdings-international.example.com`,
    usageLocation: 'DE',
  };
}

function users(count: number): TenantUser[] {
  return Array.from({ length: count }, (_, i) => longUser(i));
}

/** One of 18 products (the size of a large Microsoft 365 tenant's catalogue) with a long name. */
function longProduct(i: number, plans: number): Product {
  return {
    skuId: `${'f'.repeat(8)}-1111-2222-3333-${String(i).padStart(12, '0')}`,
    partNumber: `SPE_E5_NOPSTNCONF_${i}`,
    name: `Microsoft 365 E5 (no Teams) with Audio Conferencing and Phone System, Enterprise Edition ${i}`,
    status: i % 5 === 0 ? 'warning' : 'enabled',
    total: 10_000,
    consumed: i % 3 === 0 ? 10_000 : 4_321,
    available: i % 3 === 0 ? 0 : 5_679,
    servicePlans: Array.from({ length: plans }, (_, p) => ({
      id: `${'e'.repeat(8)}-4444-5555-6666-${String(i * 100 + p).padStart(12, '0')}`,
      name: `MICROSOFT_COMMUNICATION_COMPLIANCE_${p}`,
      friendlyName: `Microsoft Communications Compliance and Insider Risk Management ${p}`,
    })),
  };
}

function overview(product: Product, holders: readonly TenantUser[]): ProductOverview {
  const ids = holders.map((user) => user.id);
  return {
    product,
    holders: ids.slice(0, Math.floor(ids.length / 2)),
    inheritedHolders: ids.slice(Math.floor(ids.length / 2)),
    state: 'some',
  };
}

/** Every stateful element of `view` at its fullest: every option ticked, every text input full. */
function fullEntries(view: ModalView): EnteredValues {
  const entered: EnteredValues = {};
  for (const { blockId, actionId, element } of viewElements(view.blocks as unknown[])) {
    const type = String(element.type);
    let value: SlackObject | undefined;
    if (type === 'checkboxes') value = { selected_options: element.options as SlackObject[] };
    if (type === 'plain_text_input') value = { value: 'x'.repeat(3000) };
    if (type === 'multi_external_select') {
      value = {
        selected_options: users(10).map((user) => ({
          text: { type: 'plain_text', text: user.displayName.slice(0, 75) },
          value: user.id,
        })),
      };
    }
    if (value !== undefined) entered[blockId] = { ...entered[blockId], [actionId]: value };
  }
  return entered;
}

/** The `view` object of an interaction payload, as Slack sends it. */
function viewPayload(view: ModalView): SlackObject {
  return {
    id: 'V0123456789',
    team_id: 'T0123456789',
    type: 'modal',
    title: view.title,
    submit: view.submit ?? null,
    close: view.close ?? null,
    blocks: view.blocks as KnownBlock[],
    private_metadata: view.private_metadata ?? '',
    callback_id: view.callback_id ?? '',
    state: { values: stateFor(view.blocks as unknown[], fullEntries(view)) },
    hash: '1712345678.AbCdEfGh',
    clear_on_close: false,
    notify_on_close: false,
    root_view_id: 'V0123456788',
    previous_view_id: 'V0123456788',
    app_id: 'A0123456789',
    external_id: '',
    app_installed_team_id: 'T0123456789',
    bot_id: 'B0123456789',
  };
}

const envelope = {
  team: { id: 'T0123456789', domain: 'contoso-holdings-international' },
  user: { id: 'U0123456789', username: 'first.lastname', name: 'first.lastname', team_id: 'T0123456789' },
  api_app_id: 'A0123456789',
  token: 'Shh_ItsASecretVerificationToken1',
  trigger_id: '1234567890123.1234567890123.0123456789abcdef0123456789abcdef',
  is_enterprise_install: false,
  enterprise: null,
};

function submission(view: ModalView): SlackObject {
  return { type: 'view_submission', ...envelope, view: viewPayload(view), response_urls: [] };
}

/** A paging click in a pushed list: the whole view comes with the click. */
function click(view: ModalView, actionId: string): SlackObject {
  return {
    type: 'block_actions',
    ...envelope,
    container: { type: 'view', view_id: 'V0123456789' },
    view: viewPayload(view),
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'nav',
        text: { type: 'plain_text', text: 'Next ›', emoji: true },
        value: '1',
        action_ts: '1712345678.123456',
      },
    ],
  };
}

/** The form body Slack posts for an interaction. */
export function formBody(payload: SlackObject): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface LegitPayload {
  name: string;
  body: string;
  bytes: number;
}

/** The largest legitimate request of each of our biggest surfaces, largest first. */
export function largestLegitPayloads(): LegitPayload[] {
  const selection = users(1000);
  const products = Array.from({ length: 18 }, (_, i) => overview(longProduct(i, 12), selection));
  // Enough long names to fill a pushed list's page up to the view text budget.
  const crowd = users(5000);
  const candidates: [string, SlackObject][] = [
    [
      'licenses step, 18 long-named products, 1,000 selected, all ticked, reason full (view_submission)',
      submission(
        renderLicensesStep({
          draftId: DRAFT_ID,
          customerName: `${LONG} Contoso Holdings International Ltd.`,
          selectedCount: selection.length,
          products,
          purchaseUrl: `https://partner.microsoft.com/${'commerce/'.repeat(20)}buy`,
          disabledPlansBySku: Object.fromEntries(
            products.map((p) => [p.product.skuId, p.product.servicePlans.map((plan) => plan.id)]),
          ),
          approvalThreshold: 1,
          plannedRevocations: 9000,
        }),
      ),
    ],
    [
      'users step, 10 users a page, 1,000 selected, 50 e-mails not found, paste box full (view_submission)',
      submission(
        renderUsersStep({
          draftId: DRAFT_ID,
          customerName: `${LONG} Contoso Holdings International Ltd.`,
          version: 12,
          browser: { users: users(10), page: 41, total: 5000, query: 'first.middle' },
          selected: selection,
          notFoundEmails: Array.from(
            { length: 300 },
            (_, i) => `someone.who.left.${i}@subsidiary.contoso-holdings-international.example.com`,
          ),
          error: 'Select at least one user.',
        }),
      ),
    ],
    [
      'service plans of a product with 60 plans, all ticked (view_submission)',
      submission(
        renderServicePlans({
          draftId: DRAFT_ID,
          product: longProduct(1, 60),
          disabledPlans: longProduct(1, 60).servicePlans.map((plan) => plan.id),
        }),
      ),
    ],
    [
      'selected users, 5,000 long names, a page at the view text budget (block_actions)',
      click(
        renderSelectedUsers({ draftId: DRAFT_ID, customerName: LONG, users: crowd, page: 0 }),
        'selected_page_next',
      ),
    ],
    [
      'who has it, 5,000 long-named holders, a page at the view text budget (block_actions)',
      click(
        renderProductHolders({
          draftId: DRAFT_ID,
          overview: overview(longProduct(1, 12), crowd),
          users: crowd,
          page: 0,
        }),
        'holders_page_next',
      ),
    ],
  ];
  return candidates
    .map(([name, payload]) => {
      const body = formBody(payload);
      return { name, body, bytes: Buffer.byteLength(body) };
    })
    .sort((a, b) => b.bytes - a.bytes);
}
