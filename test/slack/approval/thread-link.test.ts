import type { Logger } from '@slack/bolt';
import { afterEach, describe, expect, it } from 'vitest';
import { threadLinks } from '../../../src/slack/approval/thread-link.js';
import { botClient } from '../../support/slack-client.js';
import { type SlackFake, startSlackFake } from '../../support/slack-fake.js';

let fake: SlackFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const warnings: string[] = [];
const logger = { warn: (message: string) => warnings.push(message) } as unknown as Logger;

describe('threadLinks', () => {
  it("asks Slack for the summary's permalink once, and leaves it out when Slack gives none", async () => {
    fake = await startSlackFake();
    const client = botClient(fake);
    const posted = await client.chat.postMessage({ channel: 'C0LIC', text: 'Summary' });
    const links = threadLinks(client, logger);
    const request = { id: 'req_1', report: { channel: 'C0LIC', ts: posted.ts ?? '' } };
    const link = await links(request);
    expect(link).toMatch(/^https:\/\/fake\.slack\.com\/archives\/C0LIC\/p/);
    expect(await links(request)).toBe(link);
    expect(fake.callsTo('chat.getPermalink')).toHaveLength(1);

    // No summary yet: nothing to link, nothing asked.
    expect(await links({ id: 'req_2', report: { channel: 'C0LIC' } })).toBeUndefined();
    // A summary Slack does not know: no link, a warning, and the approval message goes on.
    expect(await links({ id: 'req_3', report: { channel: 'C0LIC', ts: '1.000001' } })).toBeUndefined();
    expect(warnings.join('\n')).toContain('linking the thread of req_3 failed');
    expect(fake.callsTo('chat.getPermalink')).toHaveLength(2);
  });
});
