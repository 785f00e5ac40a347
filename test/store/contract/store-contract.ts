/**
 * The Store port's contract, one suite run unchanged against every implementation (lowdb and
 * PostgreSQL): what each method promises in store.ts, including the races two replicas can run.
 */
import { describe } from 'vitest';
import { approvalsAuditContract } from './approvals-audit-contract.js';
import { draftsContract } from './drafts-contract.js';
import { priorStateContract } from './prior-state-contract.js';
import { requestsContract } from './requests-contract.js';
import { retentionExclusiveContract } from './retention-exclusive-contract.js';
import type { StoreFactory } from './store-factory.js';

export function storeContract(name: string, stores: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    describe('drafts', () => draftsContract(stores));
    describe('requests', () => requestsContract(stores));
    describe('prior state', () => priorStateContract(stores));
    describe('approvals, audit, ids', () => approvalsAuditContract(stores));
    describe('retention, exclusive', () => retentionExclusiveContract(stores));
  });
}
