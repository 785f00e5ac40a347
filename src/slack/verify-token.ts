/**
 * The start-up check of the bot token: one auth.test with a short time-out and one retry, so a
 * wrong token or an unreachable Slack stops start-up within seconds with one line naming the
 * cause (the app's own client retries for about 30 minutes, which is right for messages, not here).
 */

import { LogLevel, type WebAPICallError, WebClient } from '@slack/web-api';
import type { CodedError } from '../errors.js';

const TIMEOUT_MS = 8_000;

/** Slack answered, but not with a usable bot token. */
const TOKEN_REFUSALS: Record<string, string> = {
  invalid_auth: 'the token is not valid',
  not_authed: 'no token was sent',
  account_inactive: 'the app was uninstalled or its workspace deleted',
  token_revoked: 'the token was revoked',
  token_expired: 'the token expired',
  no_permission: 'the token lacks permission',
};

export class SlackStartError extends Error implements CodedError {
  override readonly name = 'SlackStartError';
  readonly code: 'slack_token_refused' | 'slack_unreachable';
  constructor(code: SlackStartError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/** Who the token belongs to: handed to Bolt so that it does not ask auth.test a second time. */
export interface BotIdentity {
  botId: string;
  botUserId: string;
}

export async function verifySlackToken(token: string, slackApiUrl?: string): Promise<BotIdentity> {
  const client = new WebClient(token, {
    ...(slackApiUrl === undefined ? {} : { slackApiUrl }),
    timeout: TIMEOUT_MS,
    retryConfig: { retries: 1, minTimeout: 500, maxTimeout: 1_000 },
    rejectRateLimitedCalls: true,
    // The one line below says what went wrong; the client's own retry warnings would only repeat it.
    logLevel: LogLevel.ERROR,
  });
  const where = slackApiUrl ?? 'https://slack.com/api/';
  try {
    const answer = await client.auth.test();
    return { botId: answer.bot_id ?? '', botUserId: answer.user_id ?? '' };
  } catch (error) {
    const failure = error as WebAPICallError & {
      data?: { error?: string };
      original?: { code?: string; cause?: { code?: string } };
    };
    const refused = failure.data?.error;
    if (refused !== undefined) {
      const why = TOKEN_REFUSALS[refused] ?? 'Slack refused it';
      throw new SlackStartError('slack_token_refused', `Slack refused SLACK_BOT_TOKEN (${refused}: ${why}).`);
    }
    const cause =
      failure.original?.cause?.code ??
      failure.original?.code ??
      (error instanceof Error ? error.message : String(error));
    throw new SlackStartError(
      'slack_unreachable',
      `Slack is unreachable at ${where} (${cause}); check the network or SLACK_API_URL.`,
    );
  }
}
