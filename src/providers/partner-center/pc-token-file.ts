/**
 * The partner user's current refresh token, kept in DATA_DIR. Entra hands out a new refresh token
 * with every exchange and the one configured at consent ages out (90 days unused, or revoked), so
 * a bot that only ever presents PARTNER_CENTER_REFRESH_TOKEN stops authenticating after months.
 *
 * The file (mode 0600, replaced atomically) names the chain it continues: the partner tenant, the
 * app, and a fingerprint of the configured token it started from. A file from another chain (the
 * operator consented again and configured a new token, or pointed the bot at another tenant or app)
 * is ignored, so a newly configured token always wins over an older stored one.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readTextIfExists, writeFileDurably } from '../../persistence/durable-file.js';

export const TOKEN_FILE_NAME = 'partner-center-token.json';

/** Where the rotated refresh token lives in `dataDir`. */
export function partnerCenterTokenFile(dataDir: string): string {
  return path.resolve(dataDir, TOKEN_FILE_NAME);
}

/** Which refresh-token chain a stored token belongs to. */
export interface TokenChain {
  partnerTenantId: string;
  clientId: string;
  /** The configured refresh token the chain started from (only its fingerprint is written). */
  configuredToken: string;
}

const StoredToken = z.object({
  version: z.literal(1),
  partnerTenantId: z.string(),
  clientId: z.string(),
  configuredFingerprint: z.string(),
  refreshToken: z.string().min(1),
  rotatedAt: z.string(),
});

/** A file that is not JSON reads as nothing stored. */
function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function fingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class RefreshTokenFile {
  constructor(readonly file: string) {}

  /** The stored token of this chain, or null (no file, another chain, or unreadable). */
  async read(chain: TokenChain): Promise<string | null> {
    const text = await readTextIfExists(this.file);
    if (text === null) return null;
    const stored = StoredToken.safeParse(jsonOrUndefined(text));
    if (!stored.success) return null;
    const same =
      stored.data.partnerTenantId === chain.partnerTenantId &&
      stored.data.clientId === chain.clientId &&
      stored.data.configuredFingerprint === fingerprint(chain.configuredToken);
    return same ? stored.data.refreshToken : null;
  }

  /** Replaces the stored token (only its owner may read the file). */
  async write(chain: TokenChain, refreshToken: string, now = new Date()): Promise<void> {
    const stored: z.infer<typeof StoredToken> = {
      version: 1,
      partnerTenantId: chain.partnerTenantId,
      clientId: chain.clientId,
      configuredFingerprint: fingerprint(chain.configuredToken),
      refreshToken,
      rotatedAt: now.toISOString(),
    };
    await mkdir(path.dirname(this.file), { recursive: true });
    await writeFileDurably(this.file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
}
