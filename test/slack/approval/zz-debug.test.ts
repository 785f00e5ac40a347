import { it } from 'vitest';
import { OPERATOR } from '../../support/app-harness.js';
import { clickApproval, startApprovalHarness, submitForApproval } from '../../support/approval-harness.js';

it('debug', async () => {
  const t = await startApprovalHarness();
  const s = await submitForApproval(t);
  t.h.fake.resetCalls();
  await clickApproval(t.h, OPERATOR, s.message, 'approve');
  await clickApproval(t.h, OPERATOR, s.message, 'reject');
  await t.h.idle();
  console.log(
    JSON.stringify(
      t.h.fake.calls.map((c) => [c.method, c.ok, c.error, c.args.text]),
      null,
      1,
    ),
  );
  console.log(t.h.logger.lines.filter((l) => l.level !== 'debug'));
  await t.h.close();
});
