import { describe, expect, it } from 'vitest';
import { Drafts } from '../../src/store/drafts.js';
import { LinesLogger } from './temp-store.js';

const MINUTE = 60_000;

/** Drafts on a clock the test moves, counting the changes that would schedule a main-file write. */
function makeDrafts() {
  let time = Date.parse('2025-01-01T00:00:00Z');
  const counts = { changed: 0 };
  const drafts = new Drafts({
    now: () => new Date(time),
    logger: new LinesLogger(),
    ttlMs: 120 * MINUTE,
    firstStepTtlMs: 60 * MINUTE,
    changed: () => {
      counts.changed++;
    },
  });
  return {
    drafts,
    counts,
    advance(ms: number) {
      time += ms;
    },
  };
}

describe('Drafts', () => {
  it('gives a draft without a customer the first-step life, and the full life once one is chosen', () => {
    const { drafts, advance } = makeDrafts();
    const created = drafts.create({ ownerId: 'U1', channelId: 'C1' });
    expect(Date.parse(created.expiresAt) - Date.parse(created.createdAt)).toBe(60 * MINUTE);
    advance(30 * MINUTE);
    const chosen = drafts.update(created.id, (draft) => ({ ...draft, customerId: 'cust-1' }));
    expect(chosen?.expiresAt).toBe(new Date(Date.parse(created.createdAt) + 150 * MINUTE).toISOString());
    advance(149 * MINUTE);
    expect(drafts.get(created.id)).toBeNull();
  });

  it('serves a draft until the instant it expires, and not from then on', () => {
    const { drafts, advance } = makeDrafts();
    const created = drafts.create({ ownerId: 'U1', channelId: 'C1' });
    advance(60 * MINUTE - 1);
    expect(drafts.get(created.id)?.id).toBe(created.id);
    advance(1);
    expect(drafts.get(created.id)).toBeNull();
    expect(drafts.update(created.id, (draft) => draft)).toBeNull();
    expect([...drafts.values()]).toHaveLength(1);
  });

  it('keeps the id, owner and creation time whatever the change returns', () => {
    const { drafts } = makeDrafts();
    const created = drafts.create({ ownerId: 'U1', channelId: 'C1' });
    const updated = drafts.update(created.id, (draft) => ({
      ...draft,
      id: 'drf_other',
      ownerId: 'U2',
      createdAt: '2000-01-01T00:00:00Z',
      page: 3,
    }));
    expect(updated).toMatchObject({ id: created.id, ownerId: 'U1', createdAt: created.createdAt, page: 3 });
  });

  it('hands a draft to its owner once, and puts it back with a fresh life', () => {
    const { drafts, advance } = makeDrafts();
    const created = drafts.create({ ownerId: 'U1', channelId: 'C1' });
    expect(drafts.take(created.id, 'U2')).toBeNull();
    const taken = drafts.take(created.id, 'U1');
    expect(taken?.id).toBe(created.id);
    expect(drafts.take(created.id, 'U1')).toBeNull();
    advance(10 * MINUTE);
    const restored = drafts.restore(taken ?? created);
    expect(Date.parse(restored.expiresAt)).toBe(Date.parse(created.expiresAt) + 10 * MINUTE);
    expect(drafts.get(created.id)?.id).toBe(created.id);
  });

  it('asks for a main-file write on every change but a take, and returns copies', () => {
    const { drafts, counts } = makeDrafts();
    const created = drafts.create({ ownerId: 'U1', channelId: 'C1' });
    drafts.update(created.id, (draft) => ({ ...draft, page: 1 }));
    const taken = drafts.take(created.id, 'U1');
    expect(counts.changed).toBe(2);
    if (taken) drafts.restore(taken);
    expect(counts.changed).toBe(3);
    const copy = drafts.get(created.id);
    if (copy) copy.page = 99;
    expect(drafts.get(created.id)?.page).toBe(1);
  });

  it('forgets only the archived drafts that nothing changed since', () => {
    const { drafts } = makeDrafts();
    const kept = drafts.create({ ownerId: 'U1', channelId: 'C1' });
    drafts.create({ ownerId: 'U1', channelId: 'C2' });
    const archived = [...drafts.values()];
    drafts.update(kept.id, (draft) => ({ ...draft, page: 2 }));
    expect(drafts.forgetArchived(archived)).toBe(1);
    expect([...drafts.values()].map((draft) => draft.id)).toEqual([kept.id]);
  });
});
