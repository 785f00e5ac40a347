/**
 * Slack's side of Socket Mode for tests: `apps.connections.open` (app-level `xapp-` token) and the
 * WebSocket it hands out. Everything else under `/api/` is forwarded to the Slack fake, so the app
 * gets one `SLACK_API_URL` for both tokens, as with slack.com.
 *
 * The WebSocket side is a minimal RFC 6455 server (handshake, text/ping/close frames; client frames
 * are masked, ours are not): enough for @slack/socket-mode's undici client. The wire format is
 * reference/slack-platform.md §3 "Socket Mode": `hello`, then envelopes acked by `envelope_id`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SlackFake } from './slack-fake.js';

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE = { continuation: 0x0, text: 0x1, close: 0x8, ping: 0x9, pong: 0xa } as const;

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** What the app sent back for an envelope: `payload` is the ack body (a response_action, options…). */
export interface SocketAck {
  envelope_id: string;
  payload?: unknown;
}

export interface SocketModeStandIn {
  /** Give the app this as SLACK_API_URL. */
  apiUrl: string;
  appToken: string;
  /** `apps.connections.open` calls, refused ones included. */
  connectionsOpened(): number;
  /** Resolves once an app has connected and been greeted with `hello`. */
  connected(timeoutMs?: number): Promise<void>;
  /** Sends an envelope over the socket and resolves with the app's ack. */
  send(type: EnvelopeType, payload: Record<string, unknown>, timeoutMs?: number): Promise<SocketAck>;
  close(): Promise<void>;
}

/** One server frame (FIN set, never masked). */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, length])
      : length < 0x10000
        ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigEndian64(length)]);
  return Buffer.concat([header, payload]);
}

function bigEndian64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  return bytes;
}

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** The first whole frame in `buffer` and the bytes it used, or undefined until more arrive. */
function readFrame(buffer: Buffer): { frame: Frame; used: number } | undefined {
  if (buffer.length < 2) return undefined;
  const first = buffer[0] ?? 0;
  const second = buffer[1] ?? 0;
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const masked = (second & 0x80) !== 0;
  const mask = masked ? buffer.subarray(offset, offset + 4) : undefined;
  if (masked) offset += 4;
  if (buffer.length < offset + length) return undefined;
  const payload = Buffer.from(buffer.subarray(offset, offset + length));
  if (mask) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return { frame: { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload }, used: offset + length };
}

/** A connected app: text messages in, frames out. */
class Connection {
  #buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  #closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly onText: (text: string) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#closed = true;
    });
  }

  get open(): boolean {
    return !this.#closed;
  }

  sendText(text: string): void {
    this.socket.write(frame(OPCODE.text, Buffer.from(text, 'utf8')));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.end(frame(OPCODE.close, Buffer.from([0x03, 0xe8])));
  }

  #receive(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (let next = readFrame(this.#buffer); next; next = readFrame(this.#buffer)) {
      this.#buffer = this.#buffer.subarray(next.used);
      this.#handle(next.frame);
    }
  }

  #handle({ fin, opcode, payload }: Frame): void {
    if (opcode === OPCODE.ping) {
      this.socket.write(frame(OPCODE.pong, payload));
    } else if (opcode === OPCODE.close) {
      // Answer the client's close frame (its code echoed), then hang up.
      if (!this.#closed) this.socket.end(frame(OPCODE.close, payload.subarray(0, 2)));
      this.#closed = true;
    } else if (opcode === OPCODE.text || opcode === OPCODE.continuation) {
      this.#fragments.push(payload);
      if (!fin) return;
      const text = Buffer.concat(this.#fragments).toString('utf8');
      this.#fragments = [];
      this.onText(text);
    }
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

async function forward(fake: SlackFake, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'authorization']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const answer = await fetch(`${fake.origin}${req.url ?? '/'}`, {
    method: req.method ?? 'POST',
    headers,
    ...(body.length > 0 ? { body } : {}),
  });
  const out: Record<string, string> = {};
  for (const name of ['content-type', 'retry-after']) {
    const value = answer.headers.get(name);
    if (value !== null) out[name] = value;
  }
  res.writeHead(answer.status, out).end(Buffer.from(await answer.arrayBuffer()));
}

function until<T>(what: string, timeoutMs: number, probe: (resolve: (value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Socket Mode stand-in: no ${what} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    probe((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** Starts the stand-in in front of `fake` on 127.0.0.1 with an ephemeral port. */
export async function startSocketModeStandIn(
  fake: SlackFake,
  appToken = 'xapp-1-A0LICDESK-1-standin',
): Promise<SocketModeStandIn> {
  const tickets = new Set<string>();
  const connections: Connection[] = [];
  const acks = new Map<string, (ack: SocketAck) => void>();
  const greeted: Array<() => void> = [];
  let opened = 0;
  let origin = '';

  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      if (path !== '/api/apps.connections.open') return forward(fake, req, res);
      opened += 1;
      await readBody(req);
      if (req.headers.authorization !== `Bearer ${appToken}`)
        return sendJson(res, { ok: false, error: 'invalid_auth' });
      const ticket = randomUUID();
      tickets.add(ticket);
      sendJson(res, {
        ok: true,
        url: `${origin.replace(/^http/, 'ws')}/link/?ticket=${ticket}&app_id=${fake.appId}`,
      });
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    const key = req.headers['sec-websocket-key'];
    if (url.pathname !== '/link/' || !tickets.delete(ticket) || typeof key !== 'string') {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(`${key}${WEBSOCKET_GUID}`).digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const connection = new Connection(socket, (text) => {
      const message = JSON.parse(text) as Partial<SocketAck>;
      if (typeof message.envelope_id !== 'string') return;
      acks.get(message.envelope_id)?.({ ...message, envelope_id: message.envelope_id });
      acks.delete(message.envelope_id);
    });
    connections.push(connection);
    connection.sendText(
      JSON.stringify({
        type: 'hello',
        num_connections: connections.filter((c) => c.open).length,
        debug_info: { host: 'socket-mode-stand-in', approximate_connection_time: 18060 },
        connection_info: { app_id: fake.appId },
      }),
    );
    for (const resolve of greeted.splice(0)) resolve();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const current = () => connections.find((c) => c.open);
  return {
    apiUrl: `${origin}/api/`,
    appToken,
    connectionsOpened: () => opened,
    connected: (timeoutMs = 5000) =>
      until<void>('connection', timeoutMs, (resolve) => {
        if (current()) resolve();
        else greeted.push(resolve);
      }),
    send(type, payload, timeoutMs = 3000) {
      const connection = current();
      if (!connection) return Promise.reject(new Error('Socket Mode stand-in: no app is connected'));
      const envelopeId = randomUUID();
      const ack = until<SocketAck>(`ack of ${type} ${envelopeId}`, timeoutMs, (resolve) => {
        acks.set(envelopeId, resolve);
      });
      connection.sendText(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: type !== 'events_api',
          retry_attempt: 0,
          retry_reason: '',
        }),
      );
      return ack;
    },
    async close() {
      for (const connection of connections) connection.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
