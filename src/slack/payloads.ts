/**
 * zod schemas for what Slack echoes back to us: private_metadata, view state values, action
 * values. Everything is treated as untrusted input: metadata and values carry references (a draft
 * id, a SKU id, a page) that listeners look up and authorize server-side.
 */
import { z } from 'zod';

/**
 * The shape of the draft ids the store makes (`newId('drf')` in src/licensing/ids.ts: a prefix
 * and 10 base32 characters), so that names such as `constructor` or `__proto__` never reach a
 * store lookup.
 */
export const DRAFT_ID_PATTERN = /^drf_[a-z2-7]{10}$/;
export const DraftId = z.string().regex(DRAFT_ID_PATTERN);

/** A SKU id carried in a button's value or in metadata; only ever compared with known products. */
export const SkuValue = z.string().min(1).max(200);

/** private_metadata of the flow's views: only references, never authority. */
export const DraftMetadata = z.object({
  draftId: DraftId,
  skuId: SkuValue.optional(),
  /** The operation of a preview line whose users are shown. */
  op: z.enum(['assign', 'revoke', 'replace']).optional(),
});
export type DraftMetadata = z.infer<typeof DraftMetadata>;

export const RequestMetadata = z.object({ requestId: z.string().min(1).max(100) });

/** A request id as a button carries it (`req_` + base32). */
export const RequestIdValue = z.string().regex(/^[a-z]+_[a-z0-9]{1,40}$/);
export type RequestMetadata = z.infer<typeof RequestMetadata>;

/** Parses a private_metadata string with `schema`; null when absent or malformed. */
export function parseMetadata<T>(schema: z.ZodType<T>, raw: string | undefined | null): T | null {
  if (raw === undefined || raw === null || raw === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

const SelectedOption = z.object({ value: z.string() });

/** One entry of `view.state.values[block_id][action_id]`; every field optional or nullable. */
const StateValue = z.object({
  type: z.string(),
  value: z.string().nullish(),
  selected_option: SelectedOption.nullish(),
  selected_options: z.array(SelectedOption).nullish(),
});

export const ViewState = z.object({
  values: z.record(z.string(), z.record(z.string(), StateValue)),
});
export type ViewState = z.infer<typeof ViewState>;

/** Parsed state of a view, with lookups by block id (or a block id pattern) and action id. */
export class StateValues {
  readonly #entries: { blockId: string; actionId: string; value: z.infer<typeof StateValue> }[];

  constructor(state: unknown) {
    const parsed = ViewState.safeParse(state);
    const values = parsed.success ? parsed.data.values : {};
    this.#entries = Object.entries(values).flatMap(([blockId, byAction]) =>
      Object.entries(byAction).map(([actionId, value]) => ({ blockId, actionId, value })),
    );
  }

  #matching(block: string | RegExp, actionId?: string) {
    return this.#entries.filter(
      (entry) =>
        (typeof block === 'string' ? entry.blockId === block : block.test(entry.blockId)) &&
        (actionId === undefined || entry.actionId === actionId),
    );
  }

  /** Text of an input (trimmed); null when empty or absent. */
  text(block: string | RegExp, actionId?: string): string | null {
    const value = this.#matching(block, actionId)[0]?.value.value?.trim();
    return value ? value : null;
  }

  /** The selected option's value of a single select; null when none. */
  selected(block: string | RegExp, actionId?: string): string | null {
    return this.#matching(block, actionId)[0]?.value.selected_option?.value ?? null;
  }

  /** Values of the selected options over every matching block, in order, without duplicates. */
  selectedMany(block: string | RegExp, actionId?: string): string[] {
    const values = this.#matching(block, actionId).flatMap(
      (entry) => entry.value.selected_options?.map((option) => option.value) ?? [],
    );
    return [...new Set(values)];
  }
}

/** A block_actions action as the listeners read it. */
export const BlockAction = z.object({
  action_id: z.string(),
  block_id: z.string(),
  value: z.string().max(2000).nullish(),
  selected_options: z.array(SelectedOption).nullish(),
  selected_option: SelectedOption.nullish(),
});
export type BlockAction = z.infer<typeof BlockAction>;

/** The action of a block_actions payload, or null when it does not have the shape listeners read. */
export function actionOf(action: unknown): BlockAction | null {
  const parsed = BlockAction.safeParse(action);
  return parsed.success ? parsed.data : null;
}

/** A page index carried in a paging button's value: digits only (no `1e3`, `0x10`, ` 2`). */
export const PageValue = z
  .string()
  .regex(/^\d{1,6}$/)
  .transform(Number)
  .pipe(z.number().int().nonnegative().max(100_000));

/** The page a paging button names, or null when its value is not a page. */
export function pageOf(action: BlockAction | null): number | null {
  const parsed = PageValue.safeParse(action?.value);
  return parsed.success ? parsed.data : null;
}

/** The SKU id a product button names, or null. */
export function skuOf(action: BlockAction | null): string | null {
  const parsed = SkuValue.safeParse(action?.value);
  return parsed.success ? parsed.data : null;
}

/** A block of a view in a payload; a malformed one counts as a block without type or id. */
const BlockRef = z
  .object({
    type: z.string().catch(''),
    block_id: z.string().max(255).optional().catch(undefined),
  })
  .catch({ type: '' });

/** What listeners read of the view a payload came from (`body.view`). */
export const ViewRef = z.object({
  id: z.string().min(1).max(255),
  hash: z.string().max(255).optional().catch(undefined),
  root_view_id: z.string().max(255).nullish().catch(null),
  private_metadata: z.string().max(3000).optional().catch(undefined),
  blocks: z.array(BlockRef).catch([]),
  state: z.unknown().optional(),
});
export type ViewRef = z.infer<typeof ViewRef>;

/** The payload's view, or null when there is none with an id. */
export function viewOf(body: unknown): ViewRef | null {
  const parsed = z.object({ view: ViewRef }).safeParse(body);
  return parsed.success ? parsed.data.view : null;
}

/** A trigger id (views.open / views.push), or null. */
export function triggerIdOf(body: unknown): string | null {
  const parsed = z.object({ trigger_id: z.string().min(1).max(255) }).safeParse(body);
  return parsed.success ? parsed.data.trigger_id : null;
}

/** The fields of `/licenses` that its listener reads. */
export const LicensesCommand = z.object({
  user_id: z.string().min(1).max(255),
  channel_id: z.string().min(1).max(255),
  trigger_id: z.string().min(1).max(255),
  // Slack sends an empty `text` for a bare command; a missing one means the same.
  text: z
    .string()
    .max(4000)
    .nullish()
    .transform((text) => text ?? ''),
});
export type LicensesCommand = z.infer<typeof LicensesCommand>;

/** The text of an options load (block_suggestion). */
export const SuggestionQuery = z.string().max(200).catch('');

const emailPattern = /[^\s<>,;"'()[\]]+@[^\s<>,;"'()[\]]+\.[^\s<>,;"'()[\]]+/g;

/**
 * E-mails out of a pasted list: any separators (lines, commas, semicolons, "Name <a@b.c>"),
 * de-duplicated case-insensitively, in the order given. Tokens that are not e-mails are returned
 * too, so the operator sees them listed as not found instead of dropped.
 */
export function parseEmailList(text: string): { emails: string[]; invalid: string[] } {
  const emails: string[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const token of text.split(/[\s,;]+/)) {
    const cleaned = token.replace(/^[<("']+|[>)"'.]+$/g, '');
    if (cleaned === '') continue;
    const match = cleaned.match(emailPattern);
    const email = match?.[0];
    if (email === undefined) {
      // "Name" parts of "Name <a@b.c>" lines are not e-mails; only report tokens that look like one.
      if (cleaned.includes('@')) invalid.push(cleaned);
      continue;
    }
    const key = email.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    emails.push(email);
  }
  return { emails, invalid };
}
