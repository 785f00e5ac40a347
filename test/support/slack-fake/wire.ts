/** Reading Web API requests the way Slack does: form bodies with JSON-string fields, or JSON bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SlackObject } from './types.js';

/** Fields the SDK sends as JSON strings inside a form body. */
const JSON_FIELDS = new Set(['blocks', 'view', 'files', 'metadata', 'attachments', 'user_auth_blocks']);

/** A Slack error answer: `{ ok: false, error }` with HTTP 200, plus optional detail messages. */
export class SlackMethodError extends Error {
  constructor(
    readonly error: string,
    readonly messages: string[] = [],
    readonly extra: SlackObject = {},
  ) {
    super(error);
  }
}

/** Shorthand for throwing a Slack error from a method handler. */
export function fail(error: string, messages: string[] = [], extra: SlackObject = {}): never {
  throw new SlackMethodError(error, messages, extra);
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

function decodeJsonField(key: string, value: unknown): unknown {
  if (!JSON_FIELDS.has(key) || typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    fail(key === 'blocks' ? 'invalid_blocks_format' : 'invalid_arguments', [
      `[ERROR] ${key} is not valid JSON [json-pointer:/${key}]`,
    ]);
  }
}

/** Parses a Web API request body; JSON-string fields become values. */
export function parseArgs(contentType: string | undefined, body: Buffer): SlackObject {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  const text = body.toString('utf8');
  const args: SlackObject = {};
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      fail('invalid_json');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('invalid_json');
    for (const [key, value] of Object.entries(parsed)) {
      // Slack ignores a token inside a JSON body: only the Authorization header counts.
      if (key !== 'token') args[key] = decodeJsonField(key, value);
    }
    return args;
  }
  if (type === 'application/x-www-form-urlencoded' || type === '' || type === undefined) {
    for (const [key, value] of new URLSearchParams(text)) args[key] = decodeJsonField(key, value);
    return args;
  }
  fail('invalid_form_data', [`unsupported content type ${contentType ?? ''}`]);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: SlackObject = {},
): void {
  const text = JSON.stringify(body);
  const stringHeaders = Object.fromEntries(
    Object.entries(headers).map(([key, value]) => [key, String(value)]),
  );
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...stringHeaders });
  res.end(text);
}

/** Reads a string argument (form values are always strings; JSON bodies may hold numbers). */
export function str(args: SlackObject, key: string): string | undefined {
  const value = args[key];
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Reads a boolean argument (`true`, `1`, `"true"`). */
export function bool(args: SlackObject, key: string): boolean {
  const value = args[key];
  return value === true || value === 1 || value === 'true' || value === '1';
}
