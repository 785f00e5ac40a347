import type { HttpCall, HttpClient } from './http.js';

/**
 * A provider's write: one POST, never retried here (the executor owns retries and pacing),
 * answering the parsed body; a failure is thrown as the HttpError it is, for the provider to read.
 */
export async function postOnce<T>(http: HttpClient, call: Omit<HttpCall<T>, 'method' | 'retry'>): Promise<T> {
  const { data } = await http.send({ ...call, method: 'POST', retry: false });
  return data;
}
