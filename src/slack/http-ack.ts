/**
 * The `ack()` of one HTTP request, with Bolt's semantics: the first ack writes the response (JSON
 * when given an object, the text when given a string, else an empty 200); a second ack throws;
 * a request nobody acks gets 404 when it is certain nobody will, or after the deadline.
 */
import type { ServerResponse } from 'node:http';
import { type AckFn, type Logger, ReceiverMultipleAckError } from '@slack/bolt';

/** Bolt's unhandledRequestTimeoutMillis: just past Slack's 3-second deadline. */
export const ACK_TIMEOUT_MS = 3001;

export function writeResponse(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent) return;
  if (body === undefined || body === null || body === '') {
    res.writeHead(status);
    res.end();
  } else if (typeof body === 'string') {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(body);
  } else {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

export class HttpAck {
  readonly #res: ServerResponse;
  readonly #logger: Logger;
  readonly #what: string;
  #acked = false;
  #timer: NodeJS.Timeout;

  constructor(res: ServerResponse, logger: Logger, what: string, timeoutMs: number = ACK_TIMEOUT_MS) {
    this.#res = res;
    this.#logger = logger;
    this.#what = what;
    this.#timer = setTimeout(() => {
      if (this.#answered()) return;
      this.#logger.error(`${what} was not acknowledged within ${timeoutMs} ms: answered 404`);
      writeResponse(res, 404);
    }, timeoutMs);
  }

  get acked(): boolean {
    return this.#acked;
  }

  /** The `ack` handed to Bolt. */
  readonly fn: AckFn<unknown> = async (response?: unknown) => {
    if (this.#acked) throw new ReceiverMultipleAckError();
    this.#acked = true;
    clearTimeout(this.#timer);
    if (this.#res.headersSent) {
      this.#logger.warn(`${this.#what} was acknowledged after it had been answered; the ack is dropped`);
      return;
    }
    writeResponse(this.#res, 200, response);
  };

  /** Bolt finished without anyone acking: no listener took the request, so waiting longer is pointless. */
  unhandled(): void {
    if (this.#answered()) return;
    clearTimeout(this.#timer);
    this.#logger.warn(`${this.#what} matched no listener: answered 404`);
    writeResponse(this.#res, 404);
  }

  /** Bolt threw: a 500 if nothing was sent yet, so Slack shows an error at once instead of after 3 s. */
  failed(): void {
    clearTimeout(this.#timer);
    if (this.#answered()) return;
    writeResponse(this.#res, 500);
  }

  #answered(): boolean {
    return this.#acked || this.#res.headersSent;
  }
}
