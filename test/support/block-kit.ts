/**
 * Block Kit validation against Slack's rules, shared by the Slack fake and the blocks tests.
 *
 * The project's own checks always run: Slack's limits below (title, private_metadata, blocks per
 * view and message, view bytes, text lengths), duplicate ids, initial options that must be entries
 * of the options. The third-party JSON Schema (tightknit-block-kit, see schemas.ts) adds shapes,
 * lengths and counts of every element when it is found; without it those checks are skipped.
 * Every function returns readable errors (`<json-pointer> <message>`), `[]` when valid.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { slackSchemas } from './schemas.js';

/** Slack's limits that the checks below enforce (reference/slack-platform.md §1). */
export const BLOCK_KIT_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  privateMetadata: 3000,
  viewTitle: 24,
  viewBytes: 250 * 1024,
  updateText: 4000,
  postText: 40_000,
} as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The schema's unions (`block`, `*_element`, `text_object`) are `oneOf` lists of `$ref`s told apart by
 * `type`. Ajv reports every failing branch of a `oneOf`, hundreds of lines for one typo; rewriting each
 * such union as `if type = X then $ref X` keeps the same meaning and reports only the branch that applies.
 */
function discriminateUnions(node: Json, defs: JsonObject): Json {
  if (Array.isArray(node)) return node.map((item) => discriminateUnions(item, defs));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) out[key] = discriminateUnions(value, defs);
  const union = node.oneOf;
  if (!Array.isArray(union)) return out;
  const branches = union.map((branch) => {
    const ref = isObject(branch) && typeof branch.$ref === 'string' ? branch.$ref : undefined;
    const def = ref?.startsWith('#/$defs/') ? defs[ref.slice('#/$defs/'.length)] : undefined;
    const typeSchema = isObject(def) && isObject(def.properties) ? def.properties.type : undefined;
    const type = isObject(typeSchema) && typeof typeSchema.const === 'string' ? typeSchema.const : undefined;
    return ref !== undefined && type !== undefined ? { ref, type } : undefined;
  });
  const types = branches.map((branch) => branch?.type);
  if (branches.some((branch) => branch === undefined) || new Set(types).size !== types.length) return out;
  delete out.oneOf;
  out.type = 'object';
  out.required = ['type'];
  out.properties = { type: { enum: types.filter((type): type is string => type !== undefined) } };
  const existing = Array.isArray(out.allOf) ? out.allOf : [];
  out.allOf = [
    ...existing,
    ...branches.flatMap((branch) =>
      branch === undefined
        ? []
        : [
            {
              if: { required: ['type'], properties: { type: { const: branch.type } } },
              // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited.
              then: { $ref: branch.ref },
            },
          ],
    ),
  ];
  return out;
}

interface Validators {
  blocks: ValidateFunction;
  modal: ValidateFunction;
  home: ValidateFunction;
}

function compileSchema(schemaPath: string): Validators {
  const raw: unknown = JSON.parse(readFileSync(schemaPath, 'utf8'));
  if (!isObject(raw) || !isObject(raw.$defs) || typeof raw.$id !== 'string') {
    throw new Error(`${schemaPath} is not the Block Kit schema`);
  }
  const defs = raw.$defs as JsonObject;
  const schema = discriminateUnions(raw as JsonObject, defs) as JsonObject;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S*$/i);
  ajv.addSchema(schema);
  const get = (ref: string): ValidateFunction => {
    const validate = ajv.getSchema(`${raw.$id}${ref}`);
    if (!validate) throw new Error(`Block Kit schema has no ${ref}`);
    return validate;
  };
  return { blocks: get(''), modal: get('#/$defs/modal_view'), home: get('#/$defs/home_view') };
}

function formatErrors(errors: ErrorObject[] | null | undefined, prefix: string): string[] {
  const lines = (errors ?? [])
    // `if` failures only repeat the error of their `then` branch.
    .filter((error) => error.keyword !== 'if')
    .map((error) => {
      const path = `${prefix}${error.instancePath}` || '/';
      const params = error.params as Record<string, unknown>;
      const detail =
        typeof params.additionalProperty === 'string'
          ? ` '${params.additionalProperty}'`
          : Array.isArray(params.allowedValues)
            ? ` (${params.allowedValues.join(', ')})`
            : '';
      return `${path} ${error.message ?? error.keyword}${detail}`;
    });
  return [...new Set(lines)];
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Deep equality of JSON values, ignoring key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** An interactive element found in a block, with its JSON pointer. */
export interface LocatedElement {
  blockIndex: number;
  blockId: string | undefined;
  element: Record<string, unknown>;
  path: string;
}

/** The interactive elements of a block: `accessory`, `element` and `elements[]` holding an element `type`. */
export function elementsOf(block: unknown, blockIndex: number, prefix = ''): LocatedElement[] {
  if (!isObject(block)) return [];
  const blockId = typeof block.block_id === 'string' ? block.block_id : undefined;
  const base = `${prefix}/blocks/${blockIndex}`;
  const found: LocatedElement[] = [];
  const consider = (element: unknown, path: string) => {
    if (isObject(element) && typeof element.type === 'string' && !TEXT_TYPES.has(element.type)) {
      found.push({ blockIndex, blockId, element, path });
    }
  };
  consider(block.accessory, `${base}/accessory`);
  consider(block.element, `${base}/element`);
  if (Array.isArray(block.elements)) {
    block.elements.forEach((element, index) => {
      consider(element, `${base}/elements/${index}`);
    });
  }
  return found;
}

const TEXT_TYPES = new Set(['plain_text', 'mrkdwn', 'image', 'rich_text_section', 'rich_text_list']);

function optionsOf(element: Record<string, unknown>): unknown[] {
  const direct = Array.isArray(element.options) ? element.options : [];
  const grouped = Array.isArray(element.option_groups)
    ? element.option_groups.flatMap((group) =>
        isObject(group) && Array.isArray(group.options) ? group.options : [],
      )
    : [];
  return [...direct, ...grouped];
}

const STATIC_OPTION_TYPES = new Set(['checkboxes', 'radio_buttons', 'static_select', 'multi_static_select']);

/** Checks the schema cannot express, over one surface's blocks. */
function surfaceChecks(blocks: unknown, prefix: string): string[] {
  if (!Array.isArray(blocks)) return [];
  const errors: string[] = [];
  const blockIds = new Map<string, number>();
  blocks.forEach((block, index) => {
    if (!isObject(block)) return;
    if (typeof block.block_id === 'string') {
      const first = blockIds.get(block.block_id);
      if (first !== undefined) {
        errors.push(
          `${prefix}/blocks/${index}/block_id duplicate block_id '${block.block_id}' (first at ${prefix}/blocks/${first})`,
        );
      } else {
        blockIds.set(block.block_id, index);
      }
    }
    // Slack requires action_id to be unique within its block; the same id in two blocks is allowed.
    const actionIds = new Set<string>();
    for (const { element, path } of elementsOf(block, index, prefix)) {
      if (typeof element.action_id === 'string') {
        if (actionIds.has(element.action_id)) {
          errors.push(`${path}/action_id duplicate action_id '${element.action_id}' in one block`);
        }
        actionIds.add(element.action_id);
      }
      errors.push(...initialOptionChecks(element, path));
    }
  });
  return errors;
}

function initialOptionChecks(element: Record<string, unknown>, path: string): string[] {
  const type = typeof element.type === 'string' ? element.type : '';
  const errors: string[] = [];
  const initials: [string, unknown][] = [];
  if (element.initial_option !== undefined) initials.push(['initial_option', element.initial_option]);
  if (Array.isArray(element.initial_options)) {
    element.initial_options.forEach((option, index) => {
      initials.push([`initial_options/${index}`, option]);
    });
  }
  if (STATIC_OPTION_TYPES.has(type)) {
    const options = optionsOf(element);
    for (const [key, initial] of initials) {
      if (!options.some((option) => jsonEqual(option, initial))) {
        errors.push(`${path}/${key} must deep-equal one of the element's options`);
      }
    }
  } else if (type === 'external_select' || type === 'multi_external_select') {
    for (const [key, initial] of initials) {
      if (!isObject(initial) || !isObject(initial.text) || typeof initial.value !== 'string') {
        errors.push(`${path}/${key} must be a full option object (text and value)`);
      }
    }
  }
  return errors;
}

/** Characters as JSON Schema's maxLength counts them (code points). */
function characters(value: unknown): number {
  return typeof value === 'string' ? [...value].length : 0;
}

/** Slack's view limits, checked with or without the schema (worded as Ajv words them). */
function viewLimitChecks(view: Record<string, unknown>, type: 'modal' | 'home'): string[] {
  const errors: string[] = [];
  const title = isObject(view.title) ? view.title.text : undefined;
  if (type === 'modal' && characters(title) > BLOCK_KIT_LIMITS.viewTitle) {
    errors.push(`/title/text must NOT have more than ${BLOCK_KIT_LIMITS.viewTitle} characters`);
  }
  if (characters(view.private_metadata) > BLOCK_KIT_LIMITS.privateMetadata) {
    errors.push(`/private_metadata must NOT have more than ${BLOCK_KIT_LIMITS.privateMetadata} characters`);
  }
  if (Array.isArray(view.blocks) && view.blocks.length > BLOCK_KIT_LIMITS.viewBlocks) {
    errors.push(`/blocks must NOT have more than ${BLOCK_KIT_LIMITS.viewBlocks} items`);
  }
  return errors;
}

function viewChecks(view: unknown, type: 'modal' | 'home'): string[] {
  const errors: string[] = [];
  const bytes = Buffer.byteLength(JSON.stringify(view) ?? '', 'utf8');
  if (bytes > BLOCK_KIT_LIMITS.viewBytes) {
    errors.push(`/view is ${bytes} bytes, more than ${BLOCK_KIT_LIMITS.viewBytes} (view_too_large)`);
  }
  if (isObject(view)) errors.push(...viewLimitChecks(view, type), ...surfaceChecks(view.blocks, ''));
  return errors;
}

/** The validators of one run: the project's checks, plus the schema's when it is given. */
export interface BlockKitChecks {
  /** True when the third-party Block Kit schema is part of the checks. */
  readonly schema: boolean;
  modal(view: unknown): string[];
  home(view: unknown): string[];
  messageBlocks(blocks: unknown): string[];
}

/** Checks against the Block Kit schema at `schemaPath` (compiled now), or the project's checks only. */
export function createBlockKitChecks(schemaPath: string | undefined): BlockKitChecks {
  const validators = schemaPath === undefined ? undefined : compileSchema(schemaPath);
  const schemaErrors = (validate: ValidateFunction | undefined, value: unknown, prefix: string) => {
    if (validate === undefined || validate(value)) return [];
    return formatErrors(validate.errors, prefix);
  };
  // The project's checks repeat some of the schema's limits in the same words: report each once.
  const unique = (errors: string[]) => [...new Set(errors)];
  return {
    schema: validators !== undefined,
    modal: (view) => unique([...schemaErrors(validators?.modal, view, ''), ...viewChecks(view, 'modal')]),
    home: (view) => unique([...schemaErrors(validators?.home, view, ''), ...viewChecks(view, 'home')]),
    messageBlocks: (blocks) => {
      const errors = schemaErrors(validators?.blocks, blocks, '/blocks');
      if (Array.isArray(blocks) && blocks.length > BLOCK_KIT_LIMITS.messageBlocks) {
        errors.push(`/blocks must NOT have more than ${BLOCK_KIT_LIMITS.messageBlocks} items (a message)`);
      }
      return unique([...errors, ...surfaceChecks(blocks, '')]);
    },
  };
}

let defaultChecks: BlockKitChecks | undefined;

/** This run's checks: with the schema when schemas.ts finds it (compiled once, about a second). */
export function blockKitChecks(): BlockKitChecks {
  defaultChecks ??= createBlockKitChecks(slackSchemas()?.blockKit);
  return defaultChecks;
}

/** Compiles the schema now instead of inside the first validation. */
export function warmUpBlockKit(): void {
  blockKitChecks();
}

/** Errors of a modal view as sent to `views.open` / `views.push` / `views.update`; `[]` when valid. */
export function validateModalView(view: unknown): string[] {
  return blockKitChecks().modal(view);
}

/** Errors of a Home tab view as sent to `views.publish`; `[]` when valid. */
export function validateHomeView(view: unknown): string[] {
  return blockKitChecks().home(view);
}

/** Errors of a message's `blocks` (`chat.postMessage`, `chat.update`, `chat.postEphemeral`); `[]` when valid. */
export function validateMessageBlocks(blocks: unknown): string[] {
  return blockKitChecks().messageBlocks(blocks);
}

/** Errors of a message's `text`: `chat.update` rejects more than 4,000 characters (`msg_too_long`). */
export function validateMessageText(text: unknown, method: 'chat.postMessage' | 'chat.update'): string[] {
  if (typeof text !== 'string') return [];
  const limit = method === 'chat.update' ? BLOCK_KIT_LIMITS.updateText : BLOCK_KIT_LIMITS.postText;
  return text.length > limit
    ? [`/text has ${text.length} characters, more than ${limit} (msg_too_long)`]
    : [];
}

function expectValid(kind: string, errors: string[]): void {
  if (errors.length > 0) throw new Error(`invalid ${kind}:\n  ${errors.join('\n  ')}`);
}

/** Throws with every error when `view` is not a valid modal. */
export function expectValidModal(view: unknown): void {
  expectValid('modal view', validateModalView(view));
}

/** Throws with every error when `view` is not a valid Home tab view. */
export function expectValidHome(view: unknown): void {
  expectValid('home view', validateHomeView(view));
}

/** Throws with every error when `blocks` are not valid message blocks. */
export function expectValidMessageBlocks(blocks: unknown): void {
  expectValid('message blocks', validateMessageBlocks(blocks));
}
