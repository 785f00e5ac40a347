/** The bot's Web API client on the Slack fake, and a fake with that client for each test of a file. */
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach } from 'vitest';
import { type SlackFake, type SlackFakeOptions, startSlackFake } from './slack-fake.js';

/** A client of the fake's Web API with the bot's token, that never retries. */
export function botClient(fake: SlackFake): WebClient {
  return new WebClient(fake.botToken, { slackApiUrl: fake.url, retryConfig: { retries: 0 } });
}

/** Registers beforeEach/afterEach: a fresh fake (`options`) and the bot's client on it per test. */
export function useSlackFake(options?: SlackFakeOptions): {
  readonly fake: SlackFake;
  readonly client: WebClient;
} {
  let fake: SlackFake | undefined;
  let client: WebClient | undefined;
  beforeEach(async () => {
    fake = await startSlackFake(options);
    client = botClient(fake);
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    client = undefined;
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the Slack fake starts in beforeEach: read it inside a test');
    return value;
  };
  return {
    get fake() {
      return started(fake);
    },
    get client() {
      return started(client);
    },
  };
}
