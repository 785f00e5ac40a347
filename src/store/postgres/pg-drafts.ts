/**
 * Drafts of open modals in PostgreSQL, with lowdb's lives: each change extends a draft's life by
 * `ttlMs`, or `firstStepTtlMs` while no customer is chosen. An expired draft is not served; it
 * stays until retention moves it to the archive. The clock is the store's `now`, like lowdb's.
 */

import { inTransaction, type Pool } from '../../db/pool.js';

import { newId } from '../../licensing/ids.js';
import type { StoreLogger } from '../store-health.js';
import { Draft, type NewDraft } from '../store-schema.js';
import { CallerError, type PgGuard } from './pg-guard.js';
import { json, parsedRow, storable, unstorableId } from './pg-rows.js';

export interface PgDraftsOptions {
  pool: Pool;
  guard: PgGuard;
  now: () => Date;
  logger: StoreLogger;
  ttlMs: number;
  firstStepTtlMs: number;
}

type DocRow = { doc: unknown };

export class PgDrafts {
  constructor(private readonly o: PgDraftsOptions) {}

  create(draft: NewDraft): Promise<Draft> {
    const { guard, now, logger } = this.o;
    return guard.run('createDraft', async () => {
      const at = now().toISOString();
      const fields = { ...draft, id: newId('drf'), createdAt: at, expiresAt: at };
      const kept = this.#extended(storable(Draft, fields, 'createDraft', logger));
      await this.o.pool.query('INSERT INTO drafts (id, owner, expires_at, doc) VALUES ($1, $2, $3, $4)', [
        kept.id,
        kept.ownerId,
        kept.expiresAt,
        json(kept),
      ]);
      return kept;
    });
  }

  get(id: string): Promise<Draft | null> {
    if (unstorableId(id)) return Promise.resolve(null);
    return this.o.guard.run('getDraft', async () => {
      const found = await this.o.pool.query<DocRow>(
        'SELECT doc FROM drafts WHERE id = $1 AND expires_at > $2',
        [id, this.o.now()],
      );
      return this.#parsed(found.rows[0], id);
    });
  }

  /** One transaction holding the draft's row lock, so `change` sees the current draft and no other change interleaves. */
  update(id: string, change: (draft: Draft) => Draft): Promise<Draft | null> {
    if (unstorableId(id)) return Promise.resolve(null);
    const { guard, pool, now, logger } = this.o;
    return guard.run('updateDraft', () =>
      inTransaction(pool, async (client) => {
        const found = await client.query<DocRow>(
          'SELECT doc FROM drafts WHERE id = $1 AND expires_at > $2 FOR UPDATE',
          [id, now()],
        );
        const current = this.#parsed(found.rows[0], id);
        if (current === null) return null;
        let changed: Draft;
        try {
          changed = change(structuredClone(current));
        } catch (error) {
          throw new CallerError(error);
        }
        // The id, owner and creation time are not the caller's to change; use extends the life.
        const fields = { ...changed, id: current.id, ownerId: current.ownerId, createdAt: current.createdAt };
        const kept = this.#extended(storable(Draft, fields, 'updateDraft', logger));
        await client.query('UPDATE drafts SET expires_at = $2, doc = $3 WHERE id = $1', [
          id,
          kept.expiresAt,
          json(kept),
        ]);
        return kept;
      }),
    );
  }

  /** One statement: of concurrent takers (on any replica) exactly one gets the row. */
  take(id: string, ownerId: string): Promise<Draft | null> {
    if (unstorableId(id) || unstorableId(ownerId)) return Promise.resolve(null);
    return this.o.guard.run('takeDraft', async () => {
      const taken = await this.o.pool.query<DocRow>(
        'DELETE FROM drafts WHERE id = $1 AND owner = $2 AND expires_at > $3 RETURNING doc',
        [id, ownerId, this.o.now()],
      );
      return this.#parsed(taken.rows[0], id);
    });
  }

  restore(draft: Draft): Promise<Draft> {
    const { guard, logger } = this.o;
    return guard.run('restoreDraft', async () => {
      const kept = this.#extended(storable(Draft, draft, 'restoreDraft', logger));
      await this.o.pool.query(
        `INSERT INTO drafts (id, owner, expires_at, doc) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at, doc = EXCLUDED.doc`,
        [kept.id, kept.ownerId, kept.expiresAt, json(kept)],
      );
      return kept;
    });
  }

  /** `draft` with its life extended from now. */
  #extended(draft: Draft): Draft {
    const { ttlMs, firstStepTtlMs, now } = this.o;
    const ttl = draft.customerId === null ? firstStepTtlMs : ttlMs;
    return { ...draft, expiresAt: new Date(now().getTime() + ttl).toISOString() };
  }

  #parsed(row: DocRow | undefined, id: string): Draft | null {
    return row === undefined ? null : parsedRow(Draft, row.doc, 'drafts', id);
  }
}
