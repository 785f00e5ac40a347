import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpClient, HttpError, parseBody, parseRetryAfter } from '../../src/providers/http.js';

describe('the shared HTTP wrapper', () => {
  it('reads Retry-After as seconds (fractional too) or an HTTP date; absent means no delay given', () => {
    expect(parseRetryAfter('2.128')).toBe(2128);
    expect(parseRetryAfter('10')).toBe(10_000);
    expect(parseRetryAfter(' 57 ')).toBe(57_000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('parses BOM-prefixed JSON and the documented "totalCount": 04 quirk; leaves text as text', () => {
    expect(parseBody('\uFEFF{"totalCount":1,"items":[]}')).toEqual({ totalCount: 1, items: [] });
    expect(parseBody('{"totalCount": 04, "items": [{"n": 10}]}')).toEqual({
      totalCount: 4,
      items: [{ n: 10 }],
    });
    expect(parseBody('42')).toBe(42);
    expect(parseBody('Service Unavailable')).toBe('Service Unavailable');
    expect(parseBody('')).toBeUndefined();
  });
});

/** A local server answering each request with the next scripted answer (then 200 `{}`). */
async function scriptedServer(
  answers: { status: number; headers?: Record<string, string>; body?: string }[],
) {
  let hits = 0;
  const server = createServer((_req, res) => {
    const answer = answers[hits++] ?? { status: 200, body: '{}' };
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body ?? '{}');
  });
  return { url: await listening(server), hits: () => hits };
}

/** Starts `server` on a free local port (closed after the test); resolves to a URL on it. */
async function listening(server: Server): Promise<string> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}/v1/things`;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function client(options: { random?: number; maxRetryWaitMs?: number; timeoutMs?: number } = {}) {
  const waits: number[] = [];
  const http = new HttpClient({
    name: 'Test',
    backoffMs: 100,
    ...(options.maxRetryWaitMs === undefined ? {} : { maxRetryWaitMs: options.maxRetryWaitMs }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    random: () => options.random ?? 0,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { http, waits };
}

const get = (url: string) => ({
  method: 'GET' as const,
  url,
  token: async () => 'token',
  schema: z.unknown(),
});

describe('HttpClient retries of reads', () => {
  it('waits the shared backoff between attempts: equal jitter under a doubling ceiling', async () => {
    const server = await scriptedServer([{ status: 503 }, { status: 504 }, { status: 429 }]);
    const low = client({ random: 0 });
    await low.http.send(get(server.url));
    expect(low.waits).toEqual([50, 100, 200]);

    const again = await scriptedServer([{ status: 503 }, { status: 504 }, { status: 429 }]);
    const high = client({ random: 1 });
    await high.http.send(get(again.url));
    expect(high.waits).toEqual([100, 200, 400]);
  });

  it('honours Retry-After, plus up to a fifth of it as jitter', async () => {
    const server = await scriptedServer([{ status: 429, headers: { 'retry-after': '2' } }]);
    const { http, waits } = client({ random: 1 });
    expect((await http.send(get(server.url))).status).toBe(200);
    expect(waits).toEqual([2400]);
  });

  it('does not wait for a Retry-After above the maximum: the read fails as transient', async () => {
    const server = await scriptedServer([{ status: 429, headers: { 'retry-after': '11' } }]);
    const { http, waits } = client();
    const error = await http.send(get(server.url)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ code: 'http_status', status: 429, retryAfterMs: 11_000, transient: true });
    expect(waits).toEqual([]);
    expect(server.hits()).toBe(1);
  });

  it('gives up after the read retries, and sends writes and lasting refusals once', async () => {
    const busy = await scriptedServer(Array.from({ length: 10 }, () => ({ status: 503 })));
    const { http } = client();
    await expect(http.send(get(busy.url))).rejects.toMatchObject({ code: 'http_status', status: 503 });
    expect(busy.hits()).toBe(4);

    const write = await scriptedServer([{ status: 503 }]);
    await expect(http.send({ ...get(write.url), method: 'POST', body: {} })).rejects.toMatchObject({
      status: 503,
    });
    expect(write.hits()).toBe(1);

    const refused = await scriptedServer([{ status: 400, body: '{"error":"bad"}' }]);
    await expect(http.send(get(refused.url))).rejects.toMatchObject({
      code: 'http_status',
      body: { error: 'bad' },
      transient: false,
    });
    expect(refused.hits()).toBe(1);
  });

  it('codes a time-out and a network failure', async () => {
    const silent = await listening(createServer(() => {}));
    const slow = client({ timeoutMs: 50 });
    await expect(slow.http.send({ ...get(silent), retry: false })).rejects.toMatchObject({
      code: 'http_timeout',
      transient: true,
    });

    const closed = createServer();
    const gone = await listening(closed);
    await new Promise((resolve) => closed.close(resolve));
    const { http } = client();
    await expect(http.send({ ...get(gone), retry: false })).rejects.toMatchObject({
      code: 'http_network',
      transient: true,
    });
  });
});
