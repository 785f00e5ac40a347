/**
 * Reads a request body into memory only up to a cap and within a time limit, so that neither a
 * huge nor a slow body can hold memory or a reading slot for long.
 */
import type { IncomingMessage } from 'node:http';

export type BodyRead =
  | { ok: true; body: Buffer }
  | { ok: false; status: 408 | 413; reason: string }
  | { ok: false; status: 'aborted'; reason: string };

export interface BodyLimits {
  maxBytes: number;
  timeoutMs: number;
}

function ignore(): void {}

/** The declared Content-Length, when there is a valid one. */
function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  return header !== undefined && /^\d{1,15}$/.test(header) ? Number(header) : undefined;
}

/** True when the request says up front that its body is larger than `maxBytes`. */
export function declaresTooLarge(req: IncomingMessage, maxBytes: number): boolean {
  const declared = declaredLength(req);
  return declared !== undefined && declared > maxBytes;
}

/**
 * The whole body, or why reading stopped: over `maxBytes` (413, the rest is never read), not
 * complete within `timeoutMs` (408), or the client went away. On a refusal the request stream is
 * left paused; the caller answers and closes the connection.
 */
export function readCappedBody(req: IncomingMessage, limits: BodyLimits): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyRead) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      // A stream without an 'error' listener would crash the process when the client goes away later.
      req.off('error', onError);
      req.on('error', ignore);
      if (!result.ok) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) {
        chunks.length = 0;
        finish({ ok: false, status: 413, reason: `body passed ${limits.maxBytes} bytes` });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onError = (error: Error) => finish({ ok: false, status: 'aborted', reason: error.message });
    const onAborted = () => finish({ ok: false, status: 'aborted', reason: 'client aborted the request' });
    const timer = setTimeout(
      () => finish({ ok: false, status: 408, reason: `body not received within ${limits.timeoutMs} ms` }),
      limits.timeoutMs,
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
