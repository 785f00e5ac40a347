/**
 * The Graph fake's POST /$batch: at most 20 inner requests with unique ids, each dispatched like a
 * request of its own (recorded as batched), answered in reverse order so callers must correlate by id.
 */
import { type GraphAnswer, type GraphRequest, graphError } from './graph-answers.js';

/** Runs one inner request: `rawUrl` is the absolute URL it stands for. */
export type Dispatch = (req: GraphRequest, batched: boolean, rawUrl: string) => Promise<GraphAnswer>;

export async function batch(origin: string, req: GraphRequest, dispatch: Dispatch): Promise<GraphAnswer> {
  const body = req.body as { requests?: Array<Record<string, unknown>> } | undefined;
  const items = body?.requests;
  if (!Array.isArray(items)) return graphError(400, 'BadRequest', 'Invalid batch payload format.');
  if (items.length > 20)
    return graphError(400, 'BadRequest', 'Number of batch request steps exceeds the maximum of 20.');
  const ids = new Set(items.map((i) => String(i.id)));
  if (ids.size !== items.length)
    return graphError(400, 'BadRequest', 'Batch request contains duplicate ids.');
  const responses = await Promise.all(items.map((item) => innerAnswer(origin, req.tenantId, item, dispatch)));
  // Graph may answer out of order; callers must correlate by id.
  return { status: 200, body: { responses: responses.reverse() } };
}

async function innerAnswer(
  origin: string,
  tenantId: string,
  item: Record<string, unknown>,
  dispatch: Dispatch,
): Promise<{ id: unknown; status: number; headers?: Record<string, string>; body: unknown }> {
  const relative = String(item.url).startsWith('/') ? String(item.url) : `/${String(item.url)}`;
  const innerUrl = new URL(`${origin}/v1.0${relative}`);
  const headers = Object.fromEntries(
    Object.entries((item.headers as Record<string, string> | undefined) ?? {}).map(([k, v]) => [
      k.toLowerCase(),
      v,
    ]),
  );
  if (item.body !== undefined && !headers['content-type']) {
    return {
      id: item.id,
      status: 400,
      body: graphError(400, 'BadRequest', 'Content-Type header is required when a body is present.').body,
    };
  }
  const answer = await dispatch(
    {
      method: String(item.method).toUpperCase(),
      path: innerUrl.pathname.replace(/^\/v1\.0/, ''),
      query: innerUrl.searchParams,
      headers,
      body: item.body,
      tenantId,
    },
    true,
    innerUrl.toString(),
  );
  return { id: String(item.id), status: answer.status, headers: answer.headers ?? {}, body: answer.body };
}
