/**
 * The body cap against the largest requests the app can legitimately receive (built by
 * test/support/largest-payloads.ts from our own views): it keeps a margin of about 4× over them, stays
 * well below the 4 MB that used to be read, and every one of them still gets through the edge.
 */
import type { App, ReceiverEvent } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, SlackHttpReceiver } from '../../src/slack/http-receiver.js';
import { RecordingLogger } from '../support/app-harness.js';
import { largestLegitPayloads } from '../support/largest-payloads.js';
import { signRequest } from '../support/slack-driver.js';

const SECRET = 'body-limit-secret';
let receiver: SlackHttpReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

describe('MAX_BODY_BYTES', () => {
  const payloads = largestLegitPayloads();
  const largest = payloads[0];

  it('keeps a margin of about 4× over the largest legitimate request and stays well below 4 MB', () => {
    expect(largest).toBeDefined();
    // The pushed lists page at the view text budget: the largest requests are their paging clicks.
    expect(largest?.bytes).toBeGreaterThan(200 * 1024);
    expect(MAX_BODY_BYTES).toBeGreaterThanOrEqual(3.9 * (largest?.bytes ?? Number.POSITIVE_INFINITY));
    expect(MAX_BODY_BYTES).toBeLessThanOrEqual(1024 * 1024);
  });

  it('lets each of the largest legitimate requests through the edge to the app', async () => {
    const logger = new RecordingLogger();
    receiver = new SlackHttpReceiver({ signingSecret: SECRET, logger });
    const seen: ReceiverEvent[] = [];
    receiver.init({
      logger,
      processEvent: async (event: ReceiverEvent) => {
        seen.push(event);
        await event.ack();
      },
    } as unknown as App);
    await receiver.start(0);
    for (const { name, body } of payloads) {
      const answer = await fetch(`http://127.0.0.1:${receiver.port()}/slack/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...signRequest(SECRET, body, Math.floor(Date.now() / 1000)),
        },
        body,
      });
      expect(answer.status, name).toBe(200);
    }
    expect(seen).toHaveLength(payloads.length);
    expect(logger.lines.filter((line) => line.level !== 'debug')).toEqual([]);
  });
});
