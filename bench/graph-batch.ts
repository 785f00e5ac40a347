/**
 * Several users' changes in Graph JSON batches (≤ 20 per call, run in parallel by Graph), for the
 * benchmark that asks whether batching is worth a port extension (it is not: Graph's write quota
 * counts every inner request, so batching saves round trips, not quota; the port stays one call
 * per user). Each item gets its own outcome; the outer status is never trusted.
 */
import type { z } from 'zod';
import type { UserChange } from '../src/licensing/model.js';
import type { ChangeFailures } from '../src/providers/graph/change-failures.js';
import type { GraphClient } from '../src/providers/graph/graph-client.js';
import { classifyGraphAnswer, classifyGraphError } from '../src/providers/graph/graph-errors.js';
import { assignLicenseBody } from '../src/providers/graph/graph-mapping.js';
import { GraphBatchResponse } from '../src/providers/graph/graph-wire.js';
import { parseRetryAfter } from '../src/providers/http.js';
import type { LicenseProviderError } from '../src/providers/license-provider.js';
import { toProviderError } from '../src/providers/provider-failure.js';

/** One user's change inside a $batch call. */
export interface BatchItem {
  userId: string;
  change: UserChange;
}

const BATCH_MAX = 20;

type BatchAnswer = z.infer<typeof GraphBatchResponse>['responses'][number];

/** Outcomes in the items' order: null = applied. */
export async function applyUserChangesBatch(
  graph: { client: GraphClient; failures: ChangeFailures },
  tenantId: string,
  items: readonly BatchItem[],
): Promise<Array<LicenseProviderError | null>> {
  const results: Array<LicenseProviderError | null> = [];
  for (let start = 0; start < items.length; start += BATCH_MAX) {
    results.push(...(await oneBatch(graph, tenantId, items.slice(start, start + BATCH_MAX))));
  }
  return results;
}

async function oneBatch(
  { client, failures }: { client: GraphClient; failures: ChangeFailures },
  tenantId: string,
  chunk: readonly BatchItem[],
): Promise<Array<LicenseProviderError | null>> {
  let answers: Map<string, BatchAnswer>;
  try {
    const data = await client.post(
      tenantId,
      '/$batch',
      {
        requests: chunk.map((item, index) => ({
          id: String(index + 1),
          method: 'POST',
          url: `/users/${encodeURIComponent(item.userId)}/assignLicense`,
          headers: { 'Content-Type': 'application/json' },
          body: assignLicenseBody(item.change),
        })),
      },
      GraphBatchResponse,
    );
    answers = new Map(data.responses.map((r) => [r.id, r]));
  } catch (error) {
    const failure = classifyGraphError(error);
    return chunk.map(() => toProviderError(failure, error));
  }
  // One after another, as the provider looks up a user's usage location after a refusal.
  const outcomes: Array<LicenseProviderError | null> = [];
  for (const [index, item] of chunk.entries()) {
    const answer = answers.get(String(index + 1));
    outcomes.push(
      answer && answer.status < 300 && answer.status >= 200
        ? null
        : await itemFailure(failures, tenantId, item, answer),
    );
  }
  return outcomes;
}

async function itemFailure(
  failures: ChangeFailures,
  tenantId: string,
  item: BatchItem,
  answer: BatchAnswer | undefined,
): Promise<LicenseProviderError> {
  const retryAfter = Object.entries(answer?.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'retry-after',
  );
  const inner = {
    status: answer?.status ?? 502,
    body: answer?.body,
    retryAfterMs: parseRetryAfter(retryAfter?.[1]),
  };
  const cause = new Error(`Graph: batch item answered ${answer?.status ?? 'nothing'}`, { cause: inner });
  return failures.toError(tenantId, item.userId, item.change, classifyGraphAnswer(inner), cause);
}
