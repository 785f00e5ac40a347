import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { DEMO_SKUS, demoCases } from '../src/providers/demo/generator.js';
import { contosoOf, finishedRun, selectUsers, submitChange } from './e2e/flow.js';
import { OPERATOR, SIGNING_SECRET, startAppHarness } from './support/app-harness.js';
import { closedAfterTest } from './support/closed-after-test.js';

/** A destination that keeps every line pino writes. */
function memory() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  return { lines, stream };
}

describe('the logger', () => {
  it('writes JSON lines with the bindings of a child, at the level asked', () => {
    const out = memory();
    const logger = createLogger({ level: 'info', destination: out.stream, pretty: false });
    logger.child({ requestId: 'req_1', customerId: 'cust' }).warn('run slowed down', { retries: 3 });
    logger.debug('not shown at info');
    logger.error('failed', new Error('boom'));
    const [warned, failed] = out.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(out.lines).toHaveLength(2);
    expect(warned).toMatchObject({
      level: 'warn',
      requestId: 'req_1',
      customerId: 'cust',
      retries: 3,
      msg: 'run slowed down',
    });
    expect(failed).toMatchObject({ level: 'error', msg: 'failed', err: { message: 'boom' } });
  });

  it('never writes a token or a configured secret, at any level, in text or in objects', () => {
    const out = memory();
    const refreshToken = '0.AXoA-refresh-token-of-the-partner';
    const logger = createLogger({
      level: 'debug',
      destination: out.stream,
      pretty: false,
      secrets: [refreshToken],
    });
    logger.debug('calling with xoxb-1234-5678-abcdefghijkl and Bearer eyJ0eXAiOiJKV1Qi.abc.def');
    logger.info({ headers: { authorization: 'Bearer eyJhbGciOi.payload.sig' }, refresh_token: refreshToken });
    logger.error('exchange failed', new Error(`refused ${refreshToken} (xapp-1-A0-123-abc)`));
    const all = out.lines.join('\n');
    expect(all).not.toMatch(/xoxb-|xapp-|eyJ/);
    expect(all).not.toContain(refreshToken);
    expect(all).toContain('[secret]');
  });

  it('keeps the bot token and the signing secret out of a whole flow logged at debug', async () => {
    const out = memory();
    const appLogger = createLogger({
      level: 'debug',
      destination: out.stream,
      pretty: false,
      secrets: ['xoxb-fake-bot-token', SIGNING_SECRET],
    });
    const h = closedAfterTest(await startAppHarness({ appLogger, env: { LOG_LEVEL: 'debug' } }));
    const contoso = contosoOf(h.data);
    const manage = await selectUsers(h, contoso.customer, [demoCases(contoso).unlicensed]);
    await submitChange(h, manage.id, { assign: [DEMO_SKUS.ENTERPRISEPACK] });
    await finishedRun(h);

    expect(out.lines.length).toBeGreaterThan(10);
    // A child logger per request: its line names the request, the command and the user.
    const requests = out.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((l) => l.msg === 'slack request');
    expect(requests).toContainEqual(
      expect.objectContaining({
        slackType: '/licenses',
        slackUser: OPERATOR,
        slackRequest: expect.stringMatching(/^[0-9a-f]{8}$/),
      }),
    );
    const all = out.lines.join('\n');
    expect(all).not.toContain(h.fake.botToken);
    expect(all).not.toContain(SIGNING_SECRET);
    expect(all).not.toMatch(/xox[bp]-/);
  });
});
