/** Small pieces of the local HTTP fakes: answering JSON, reading bodies, injected failures, listening. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeFailure {
  status: 429 | 500 | 503 | 504 | 403 | 401;
  /** Retry-After header value (seconds, may be fractional); omitted = no header. */
  retryAfter?: string;
  /** How many matching requests fail (default 1). */
  count?: number;
  method?: string;
  /** Substring of the path (after the API prefix). */
  path?: string;
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
    ...headers,
  });
  res.end(text);
}

export async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A request's headers with repeated ones joined by commas. */
export function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
  );
}

/** The first injected rule (failure, stall) left that matches the call (used up by one), or undefined. */
export function takeMatching<F extends { method?: string; path?: string; left: number }>(
  rules: F[],
  method: string,
  path: string,
): F | undefined {
  const rule = rules.find(
    (f) =>
      f.left > 0 &&
      (f.method === undefined || f.method === method) &&
      (f.path === undefined || path.includes(f.path)),
  );
  if (rule) rule.left--;
  return rule;
}

export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
