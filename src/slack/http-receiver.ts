/**
 * LicenseDesk's HTTP edge, a Bolt `Receiver`: POST /slack/events (commands, interactivity,
 * options loads, events), GET /healthz (the process answers) and GET /readyz (it can do its
 * work: the store can write). Before Bolt sees a request it is bounded (body size, bodies being
 * read at once, time to send the body), verified (v0 signature, timestamp within 5 minutes
 * either way) and checked (envelope.ts); a malformed but signed request gets 400 and never
 * reaches a listener. Socket Mode does not use this receiver.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { App, Logger, Receiver, ReceiverEvent } from '@slack/bolt';
import { declaresTooLarge, readCappedBody } from './capped-body.js';
import { type Decoded, decodeSlackRequest, isSslCheck, retryOf } from './envelope.js';
import { ACK_TIMEOUT_MS, HttpAck, writeResponse } from './http-ack.js';
import { requestLabel } from './request-log.js';
import { checkSignatureHeaders, hasValidSignature } from './request-signature.js';

/**
 * Largest request body read. The largest request the app can legitimately receive is a paging
 * click in a pushed list (selected users, who has it) whose page fills the view text budget:
 * 262,286 bytes form-encoded (measured by test/support/largest-payloads.ts; the largest
 * view_submission, service plans with 60 plans all ticked, is 70,190 bytes). 1 MiB is 4× that
 * (3.99×), and also holds a view at Slack's own 250 KB limit even when form encoding triples it.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/** An unsigned request can only be an ssl_check (`ssl_check=1&token=…`, well under this). */
const MAX_UNSIGNED_BODY_BYTES = 4 * 1024;

/** Requests whose bodies are being read or verified at once; more are refused with 503 at once. */
export const MAX_BODIES_IN_FLIGHT = 64;

/** Time a client has to send a whole body (Slack sends at most a few hundred KB at once). */
export const BODY_TIMEOUT_MS = 10_000;

/** How long GET /readyz waits for the readiness check. */
const READINESS_TIMEOUT_MS = 2_000;

const EVENTS_PATH = '/slack/events';

export interface Readiness {
  ready: boolean;
  /** Why not, in a few words (shown as the 503 body). */
  reason?: string;
}

export interface SlackHttpReceiverOptions {
  signingSecret: string;
  /** Default port for start() without one. */
  port?: number;
  /** Defaults to the app's logger. */
  logger?: Logger;
  /** What GET /readyz reports; ready when not given. */
  readiness?: () => Promise<Readiness> | Readiness;
  maxBodyBytes?: number;
  maxBodiesInFlight?: number;
  bodyTimeoutMs?: number;
  ackTimeoutMs?: number;
  /** Clock in ms (tests move it to check the timestamp window). */
  now?: () => number;
}

/** Answers and closes the connection without reading the rest of the body. */
function refuseAndClose(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
  res.end(text, () => req.socket.destroy());
}

export class SlackHttpReceiver implements Receiver {
  readonly #signingSecret: string;
  readonly #defaultPort: number;
  readonly #readiness: () => Promise<Readiness> | Readiness;
  readonly #maxBodyBytes: number;
  readonly #maxBodiesInFlight: number;
  readonly #bodyTimeoutMs: number;
  readonly #ackTimeoutMs: number;
  readonly #now: () => number;
  #logger: Logger | undefined;
  #app: App | undefined;
  #server: Server | undefined;
  #bodiesInFlight = 0;

  constructor(options: SlackHttpReceiverOptions) {
    if (options.signingSecret === '') throw new Error('SlackHttpReceiver needs a signing secret');
    this.#signingSecret = options.signingSecret;
    this.#defaultPort = options.port ?? 3000;
    this.#logger = options.logger;
    this.#readiness = options.readiness ?? (() => ({ ready: true }));
    this.#maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.#maxBodiesInFlight = options.maxBodiesInFlight ?? MAX_BODIES_IN_FLIGHT;
    this.#bodyTimeoutMs = options.bodyTimeoutMs ?? BODY_TIMEOUT_MS;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? ACK_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
  }

  init(app: App): void {
    this.#app = app;
    this.#logger ??= app.logger;
  }

  get #log(): Logger {
    if (this.#logger === undefined) throw new Error('SlackHttpReceiver used before init(app)');
    return this.#logger;
  }

  /** Listens on `port` (default: the one given at construction; 0 picks a free one). */
  start(port: number = this.#defaultPort): Promise<Server> {
    if (this.#server !== undefined) return Promise.reject(new Error('SlackHttpReceiver already started'));
    const server = createServer((req, res) => this.#route(req, res));
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (error) => {
        this.#server = undefined;
        reject(error);
      });
      server.listen(port, () => resolve(server));
    });
  }

  /** Stops taking connections; requests under way are answered first. */
  stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeIdleConnections();
    });
  }

  /** The port listened on, once started. */
  port(): number | undefined {
    const address = this.#server?.address();
    return address !== null && typeof address === 'object' ? (address as AddressInfo).port : undefined;
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    // A client that goes away must not leave an 'error' without a listener (that would crash).
    req.on('error', () => {});
    res.on('error', () => {});
    const path = (req.url ?? '/').split('?')[0];
    if (path === EVENTS_PATH && req.method === 'POST') {
      this.#receive(req, res).catch((error: unknown) => {
        this.#log.error(`handling a request to ${EVENTS_PATH} failed`, error);
        writeResponse(res, 500);
      });
      return;
    }
    if (path === '/healthz' && req.method === 'GET') {
      writeResponse(res, 200, 'ok');
      return;
    }
    if (path === '/readyz' && req.method === 'GET') {
      this.#answerReadiness(res).catch(() => writeResponse(res, 503, 'readiness check failed'));
      return;
    }
    refuseAndClose(req, res, 404, 'not found');
  }

  async #answerReadiness(res: ServerResponse): Promise<void> {
    const timer = new AbortController();
    const timeout = sleep<Readiness>(
      READINESS_TIMEOUT_MS,
      { ready: false, reason: 'readiness check timed out' },
      { signal: timer.signal },
    );
    try {
      const state = await Promise.race([Promise.resolve().then(() => this.#readiness()), timeout]);
      if (state.ready) writeResponse(res, 200, 'ready');
      else writeResponse(res, 503, (state.reason ?? 'not ready').slice(0, 300));
    } catch (error) {
      writeResponse(
        res,
        503,
        `readiness check failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      timer.abort();
    }
  }

  async #receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = checkSignatureHeaders(req.headers, Math.floor(this.#now() / 1000));
    if (headers.kind === 'refused') {
      this.#log.warn(`refused a request to ${EVENTS_PATH}: ${headers.reason}`);
      refuseAndClose(req, res, 401, 'unauthorized');
      return;
    }
    const maxBytes = headers.kind === 'unsigned' ? MAX_UNSIGNED_BODY_BYTES : this.#maxBodyBytes;
    if (declaresTooLarge(req, maxBytes)) {
      this.#log.warn(`refused a request to ${EVENTS_PATH}: declared body over ${maxBytes} bytes`);
      refuseAndClose(req, res, 413, 'payload too large');
      return;
    }
    if (this.#bodiesInFlight >= this.#maxBodiesInFlight) {
      this.#log.warn(
        `refused a request to ${EVENTS_PATH}: ${this.#bodiesInFlight} bodies already being read`,
      );
      res.setHeader('retry-after', '1');
      refuseAndClose(req, res, 503, 'busy');
      return;
    }
    let decoded: Decoded;
    this.#bodiesInFlight += 1;
    try {
      const read = await readCappedBody(req, { maxBytes, timeoutMs: this.#bodyTimeoutMs });
      if (!read.ok) {
        this.#log.warn(`refused a request to ${EVENTS_PATH}: ${read.reason}`);
        if (read.status === 'aborted') req.socket.destroy();
        else refuseAndClose(req, res, read.status, read.status === 413 ? 'payload too large' : 'timeout');
        return;
      }
      const contentType = req.headers['content-type'];
      if (headers.kind === 'unsigned') {
        if (isSslCheck(contentType, read.body)) writeResponse(res, 200);
        else {
          this.#log.warn(`refused an unsigned request to ${EVENTS_PATH}`);
          writeResponse(res, 401);
        }
        return;
      }
      if (!hasValidSignature(this.#signingSecret, headers.headers, read.body)) {
        this.#log.warn(`refused a request to ${EVENTS_PATH}: the signature does not match`);
        writeResponse(res, 401);
        return;
      }
      decoded = decodeSlackRequest(contentType, read.body);
    } finally {
      this.#bodiesInFlight -= 1;
    }
    await this.#answer(req, res, decoded);
  }

  async #answer(req: IncomingMessage, res: ServerResponse, decoded: Decoded): Promise<void> {
    switch (decoded.kind) {
      case 'ssl_check':
        writeResponse(res, 200);
        return;
      case 'url_verification':
        writeResponse(res, 200, { challenge: decoded.challenge });
        return;
      case 'ignored':
        this.#log.debug(`ignored a request to ${EVENTS_PATH}: ${decoded.reason}`);
        writeResponse(res, 200);
        return;
      case 'malformed':
        this.#log.warn(`refused a signed but malformed request to ${EVENTS_PATH}: ${decoded.reason}`);
        writeResponse(res, 400);
        return;
      case 'dispatch':
        await this.#dispatch(req, res, decoded.body);
    }
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    const app = this.#app;
    if (app === undefined) throw new Error('SlackHttpReceiver used before init(app)');
    const what = requestLabel(body);
    const ack = new HttpAck(res, this.#log, what, this.#ackTimeoutMs);
    const event: ReceiverEvent = {
      body,
      ack: ack.fn,
      ...retryOf(req.headers),
      customProperties: {},
    };
    try {
      await app.processEvent(event);
      if (!ack.acked) ack.unhandled();
    } catch (error) {
      const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      this.#log.error(
        `${what} failed in Bolt${ack.acked ? ' after its ack' : ''}: ${name}: ${message}`,
        error,
      );
      ack.failed();
    }
  }
}
