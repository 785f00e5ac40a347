/**
 * What only the Postgres store has: the onRunnable hook inside the transaction, health across a
 * real connection failure, the tables' own guards (one request per draft, NUL, rows that do not
 * parse), the archive tables, and open() on an unmigrated schema.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPool, type Pool, type PoolClient } from '../../../src/db/pool.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { StoreUnavailableError } from '../../../src/store/store.js';
import { makeApproval, makeChangeRequest, makeResult } from '../../support/licensing-factories.js';
import { describePostgres } from '../../support/postgres.js';
import { LinesLogger } from '../temp-store.js';
import { usePostgresStores } from './postgres-stores.js';
import { type TcpGate, tcpGate } from './tcp-gate.js';

describePostgres('PostgresStore (Postgres only)', () => {
  const stores = usePostgresStores();
  const enqueued = (pool: Pool) =>
    pool
      .query<{ request_id: string }>('SELECT request_id FROM runnable ORDER BY n')
      .then((r) => r.rows.map((row) => row.request_id));

  beforeAll(async () => {
    await stores.schema.pool.query(
      'CREATE TABLE IF NOT EXISTS runnable (n serial, request_id text NOT NULL)',
    );
  });

  const enqueue = async (client: PoolClient, requestId: string) => {
    await client.query('INSERT INTO runnable (request_id) VALUES ($1)', [requestId]);
  };

  it('runs onRunnable in the transaction that saves an approved request or approves one, and only then', async () => {
    const { pool } = stores.schema;
    await pool.query('TRUNCATE runnable');
    const store = await stores.openWith({ onRunnable: enqueue });
    await store.saveRequest(makeChangeRequest({ id: 'req_now', status: 'approved' }));
    await store.saveRequest(makeChangeRequest({ id: 'req_wait', status: 'pending_approval' }));
    expect(await enqueued(pool)).toEqual(['req_now']);
    await store.transitionRequest('req_wait', ['pending_approval'], 'approved', { reason: 'ok' });
    await store.transitionRequest('req_now', ['approved'], 'running');
    expect(await store.transitionRequest('req_wait', ['pending_approval'], 'approved')).toBeNull();
    expect(await enqueued(pool)).toEqual(['req_now', 'req_wait']);
  });

  it('rolls the save or the approval back when onRunnable throws, and passes its error on', async () => {
    const { pool } = stores.schema;
    await pool.query('TRUNCATE runnable');
    let fail: Error | null = new Error('queue refused');
    const store = await stores.openWith({
      onRunnable: async (client, requestId) => {
        await enqueue(client, requestId);
        if (fail) throw fail;
      },
    });
    await expect(store.saveRequest(makeChangeRequest({ id: 'req_x', status: 'approved' }))).rejects.toBe(
      fail,
    );
    expect(await store.getRequest('req_x')).toBeNull();
    await store.saveRequest(makeChangeRequest({ id: 'req_y', status: 'pending_approval' }));
    await expect(store.transitionRequest('req_y', ['pending_approval'], 'approved')).rejects.toBe(fail);
    expect((await store.getRequest('req_y'))?.status).toBe('pending_approval');
    expect(await enqueued(pool)).toEqual([]);
    expect(store.health().writable).toBe(true);

    // A database error in the hook is the store's: StoreUnavailableError, nothing kept.
    const broken = await stores.openWith({
      onRunnable: async (client) => {
        await client.query('INSERT INTO no_such_table VALUES (1)');
      },
    });
    await expect(
      broken.saveRequest(makeChangeRequest({ id: 'req_z', status: 'approved' })),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await broken.getRequest('req_z')).toBeNull();
    fail = null;
    expect(await store.transitionRequest('req_y', ['pending_approval'], 'approved')).toMatchObject({
      status: 'approved',
    });
    expect(await enqueued(pool)).toEqual(['req_y']);
  });

  it('refuses a second request from the same draft (one submission, one request, on any replica)', async () => {
    const [a, b] = await stores.replicas();
    const outcomes = await Promise.allSettled([
      a.saveRequest(makeChangeRequest({ id: 'req_1', draftId: 'drf_same' })),
      b.saveRequest(makeChangeRequest({ id: 'req_2', draftId: 'drf_same' })),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({
      reason: { code: 'invalid_value' },
    });
    expect(await a.listRequests({ limit: 10 })).toHaveLength(1);
  });

  it('refuses a NUL character PostgreSQL cannot store, and finds nothing under such an id', async () => {
    const store = await stores.openWith();
    await expect(
      store.saveRequest(makeChangeRequest({ id: 'req_nul', customerName: 'a\u0000b' })),
    ).rejects.toMatchObject({
      code: 'invalid_value',
    });
    expect(await store.getRequest('req_nul')).toBeNull();
    expect(await store.getDraft('drf\u0000')).toBeNull();
    await expect(store.recordResults('req\u0000', [makeResult()])).rejects.toMatchObject({
      code: 'invalid_value',
    });
    expect(store.health().writable).toBe(true);
  });

  it('refuses a row that does not parse as store_corrupt, naming its table and key', async () => {
    const store = await stores.openWith();
    await store.saveApproval(makeApproval({ requestId: 'req_c' }));
    await stores.schema.pool.query(`UPDATE approvals SET doc = doc - 'reason' WHERE request_id = 'req_c'`);
    await expect(store.getApproval('req_c')).rejects.toMatchObject({
      code: 'store_corrupt',
      message: expect.stringContaining('approvals (req_c)'),
    });
  });

  it('keeps archived requests whole with their approval in the archive tables', async () => {
    const now = () => new Date('2025-06-01T00:00:00Z');
    const store = await stores.openWith({ now, retentionDays: 30 });
    const request = makeChangeRequest({
      id: 'req_old',
      status: 'completed',
      createdAt: '2025-01-01T00:00:00.000Z',
    });
    await store.saveRequest(request);
    await store.recordResults('req_old', [makeResult()]);
    await store.saveApproval(makeApproval({ requestId: 'req_old', status: 'approved' }));
    expect(await store.archiveOld()).toMatchObject({ requests: 1 });
    const archived = await stores.schema.pool.query('SELECT request, approval FROM archived_requests');
    expect(archived.rows).toEqual([
      {
        request: { ...request, results: { 'user-1|sku-1|assign': makeResult() } },
        approval: expect.objectContaining({ requestId: 'req_old', status: 'approved' }),
      },
    ]);
  });

  it('refuses to open on a schema without its tables, and to work before open', async () => {
    const bare = createPool({ connectionString: stores.schema.url, max: 1, schema: 'no_such_schema' });
    try {
      const store = new PostgresStore({ pool: bare, logger: new LinesLogger() });
      await expect(store.getRequest('x')).rejects.toMatchObject({ code: 'store_closed' });
      await expect(store.open()).rejects.toMatchObject({
        code: 'store_corrupt',
        message: expect.stringContaining('requests'),
      });
    } finally {
      await bare.end();
    }
  });

  it('keeps clients for the work while exclusive() holds locks, even on a small pool', async () => {
    const small = createPool({ connectionString: stores.schema.url, max: 2, schema: stores.schema.schema });
    try {
      const store = await stores.openWith({ pool: small });
      // Four keys at once, each saving inside its lock: the locks may hold at most half the pool.
      await Promise.all(
        ['a', 'b', 'c', 'd'].map((key) =>
          store.exclusive(key, () => store.saveRequest(makeChangeRequest({ id: `req_${key}` }))),
        ),
      );
      expect(await store.listRequests({ limit: 10 })).toHaveLength(4);
    } finally {
      await small.end();
    }
  });

  describePostgres('when the connection fails', () => {
    let gate: TcpGate;
    let pool: Pool;
    beforeAll(async () => {
      gate = await tcpGate(stores.schema.url);
      pool = createPool({ connectionString: gate.url, max: 2, schema: stores.schema.schema });
      pool.on('error', () => {});
    });
    afterAll(async () => {
      await gate.close();
      await pool.end();
    });

    it('says so in health(), refuses durable changes with StoreUnavailableError keeping nothing, and recovers', async () => {
      const logger = new LinesLogger();
      const store = await stores.openWith({ pool, logger });
      await store.saveRequest(makeChangeRequest({ id: 'req_before', status: 'pending_approval' }));
      await gate.shut();
      await expect(store.saveRequest(makeChangeRequest({ id: 'req_lost' }))).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      await expect(store.transitionRequest('req_before', ['pending_approval'], 'approved')).rejects.toThrow(
        /transitionRequest: cannot write to PostgreSQL \(.+\); nothing was changed\./,
      );
      await expect(store.exclusive('k', async () => 'never')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.flush()).rejects.toBeInstanceOf(StoreUnavailableError);
      const down = store.health();
      expect(down).toMatchObject({ writable: false, error: expect.any(String) });
      expect(logger.at('error').join('\n')).toContain('cannot write to PostgreSQL');

      await gate.open();
      expect((await store.getRequest('req_before'))?.status).toBe('pending_approval');
      expect(store.health().writable).toBe(true);
      expect(await store.getRequest('req_lost')).toBeNull();
      await store.flush();
    });
  });
});
