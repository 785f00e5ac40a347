/**
 * What the approval step says in Slack: the approval message in the approvals channel (posted
 * once, then updated in place as it is decided, expires or runs), the operator's summary and
 * the lines in both threads. Everything is rendered from the store, so a late or repeated call
 * shows the current state instead of an old one.
 */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { decidersText, renderApprovalRequest } from '../../../blocks/approval-request.js';
import { limits, truncate } from '../../../blocks/limits.js';
import type { PlanCatalog } from '../../../blocks/plan-change-words.js';
import { renderRunSummary } from '../../../blocks/run-summary.js';
import type { LicensingService } from '../../licensing/licensing-service.js';
import type { ChangeRequest, RunCounts } from '../../licensing/model.js';
import { countResults } from '../../licensing/run-counts.js';
import type { Approval, Store } from '../../store/store.js';
import { slackErrorCode } from '../views.js';
import { countsLine, decisionLine } from './decision-lines.js';
import { type PlanCatalogs, planCatalogs } from './plan-catalog.js';
import { type RevokeOutlooks, revokeOutlooks } from './revoke-outlook.js';
import { type ThreadLinks, threadLinks } from './thread-link.js';

export interface ApprovalNotifierOptions {
  client: WebClient;
  service: LicensingService;
  store: Store;
  logger: Logger;
  /** APPROVAL_CHANNEL_ID; without it approvers decide from App Home only. */
  channelId: string | undefined;
  approverIds: readonly string[];
  approverGroupId: string | undefined;
}

export { countsLine, decisionLine } from './decision-lines.js';

/** Audit action recorded once the operator and the approvals channel were told of an expiry. */
const EXPIRY_ANNOUNCED = 'approval_expiry_announced';

interface Loaded {
  request: ChangeRequest;
  approval: Approval;
}

export class ApprovalNotifier {
  readonly #client: WebClient;
  readonly #service: LicensingService;
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #channelId: string | undefined;
  readonly #approverIds: readonly string[];
  readonly #approverGroupId: string | undefined;
  readonly #expiryAnnounced = new Set<string>();
  readonly #threadLinks: ThreadLinks;
  readonly #plans: PlanCatalogs;
  readonly #outlooks: RevokeOutlooks;

  constructor(options: ApprovalNotifierOptions) {
    this.#client = options.client;
    this.#service = options.service;
    this.#store = options.store;
    this.#logger = options.logger;
    this.#channelId = options.channelId;
    this.#approverIds = options.approverIds;
    this.#approverGroupId = options.approverGroupId;
    this.#threadLinks = threadLinks(options.client, options.logger);
    this.#plans = planCatalogs(options.service, options.logger);
    this.#outlooks = revokeOutlooks(options.service, options.logger);
  }

  get channelId(): string | undefined {
    return this.#channelId;
  }

  get approverIds(): readonly string[] {
    return this.#approverIds;
  }

  /** The service plans of a request's products when it changes holders' plans (plan-catalog.ts). */
  planCatalog(request: ChangeRequest): Promise<PlanCatalog | undefined> {
    return this.#plans(request);
  }

  /** Who may decide, as mrkdwn: "<@U1>, <@U2> or a member of <!subteam^S1>", leaving out `except` (a requester). */
  decidersText(except?: string): string {
    return decidersText(this.#approverIds, this.#approverGroupId, except);
  }

  /**
   * Posts a pending request to the approvals channel and keeps the message's address on the
   * approval; the operator's summary then says who can decide, and until when.
   */
  async postRequest(requestId: string): Promise<void> {
    const loaded = await this.#load(requestId);
    if (loaded === null) return;
    const { request, approval } = loaded;
    let channel = this.#channelId;
    if (channel === undefined) {
      this.#logger.warn(
        `APPROVAL_CHANNEL_ID is not set: request ${requestId} can be decided on App Home only`,
      );
    } else if (approval.message === undefined) {
      try {
        const shown = await this.#postApprovalMessage(request, approval, channel);
        if (!shown) return;
      } catch (error) {
        // Approvers can still decide on App Home; the operator must not wait on a message nobody sees.
        this.#logger.error(`posting approval request ${requestId} in ${channel} failed`, error);
        await this.tellOperator(
          request,
          `:warning: The approval request could not be posted in <#${channel}> (${slackErrorCode(error) ?? 'error'}). Approvers can still decide on their LicenseDesk App Home; ask an admin to invite the bot to that channel.`,
        );
        channel = undefined;
      }
    }
    await this.#updateSummary(request, approval, channel);
    // The summary names approvers by user id only; a user group is named in the thread.
    if (this.#approverGroupId !== undefined) {
      const where = channel === undefined ? ' on their LicenseDesk App Home' : ` in <#${channel}>`;
      await this.tellOperator(
        request,
        `:hourglass: This request waits for approval by ${this.decidersText(request.requestedBy)}${where}.`,
      );
    }
  }

  /** Posts the approval message and records where; false when a decision overtook it (already shown). */
  async #postApprovalMessage(request: ChangeRequest, approval: Approval, channel: string): Promise<boolean> {
    const rendered = await this.#render(request, approval);
    const posted = await this.#client.chat.postMessage({
      channel,
      text: truncate(rendered.text, limits.messageText),
      blocks: rendered.blocks,
      unfurl_links: false,
    });
    if (posted.ts === undefined) return true;
    const message = { channel: posted.channel ?? channel, ts: posted.ts };
    const requestId = request.id;
    if (await this.#store.decideApproval(requestId, ['pending'], { status: 'pending', message })) return true;
    // Decided from App Home while the message was on its way: keep its address and show the decision.
    const current = await this.#store.getApproval(requestId);
    if (current !== null) {
      await this.#store.decideApproval(requestId, [current.status], { status: current.status, message });
    }
    await this.refresh(requestId);
    return false;
  }

  /** Updates the approval message and the operator's summary in place to the stored state. */
  async refresh(requestId: string): Promise<void> {
    const loaded = await this.#load(requestId);
    if (loaded === null) return;
    const { request, approval } = loaded;
    if (approval.message !== undefined) {
      const rendered = await this.#render(request, approval);
      await this.#client.chat.update({
        channel: approval.message.channel,
        ts: approval.message.ts,
        text: truncate(rendered.text, limits.messageText),
        blocks: rendered.blocks,
      });
    }
    // A run keeps the summary up to date itself; before and without one, it shows the decision.
    if (request.status !== 'running' && request.status !== 'completed') {
      await this.#updateSummary(request, approval, approval.message?.channel);
    }
  }

  /** After a decision or an expiry: both messages show it and the operator is told in the thread. */
  async announceDecision(requestId: string): Promise<void> {
    await this.refresh(requestId);
    const loaded = await this.#load(requestId);
    if (loaded === null) return;
    const line = decisionLine(loaded.approval);
    if (line !== null) await this.tellOperator(loaded.request, line);
  }

  /** After the approved run: its final counts in the approval message's thread. */
  async announceRunOutcome(requestId: string, counts: RunCounts): Promise<void> {
    const loaded = await this.#load(requestId);
    if (loaded === null) return;
    const message = loaded.approval.message;
    if (message === undefined) return;
    await this.#client.chat.postMessage({
      channel: message.channel,
      thread_ts: message.ts,
      text: countsLine(counts),
    });
  }

  /** Expires what is past due and announces each; returns the approvals that expired now. */
  async expireDue(): Promise<Approval[]> {
    const expired = await this.#service.expireApprovals();
    for (const approval of expired) await this.announceExpiry(approval.requestId);
    return expired;
  }

  /**
   * Shows an expiry and tells the operator, once per request. Expiry happens in the periodic
   * sweep or inside a late click's decision, and several clicks may see the same one, so the
   * announcement is deduplicated here (in process) and through the audit log (across restarts).
   */
  async announceExpiry(requestId: string): Promise<void> {
    if (this.#expiryAnnounced.has(requestId)) return;
    this.#expiryAnnounced.add(requestId);
    const audit = await this.#store.listAudit({ requestId, limit: 1000 });
    if (audit.some((entry) => entry.action === EXPIRY_ANNOUNCED)) return;
    try {
      await this.announceDecision(requestId);
      await this.#store.appendAudit({ actor: 'system', action: EXPIRY_ANNOUNCED, requestId, outcome: 'ok' });
    } catch (error) {
      this.#logger.error(`announcing the expiry of ${requestId} failed`, error);
      await this.#store.appendAudit({
        actor: 'system',
        action: EXPIRY_ANNOUNCED,
        requestId,
        outcome: 'failed',
      });
    }
  }

  /** A line in the request's thread (the operator's summary); a DM when there is no summary. */
  async tellOperator(request: ChangeRequest, text: string): Promise<void> {
    const report = request.report;
    await this.#client.chat.postMessage({
      channel: report?.channel ?? request.requestedBy,
      ...(report?.ts === undefined ? {} : { thread_ts: report.ts }),
      text,
    });
  }

  /** The approval message, naming who may decide (never the requester) and linking the operator's thread. */
  async #render(request: ChangeRequest, approval: Approval) {
    const [threadLink, plans, outlook] = await Promise.all([
      this.#threadLinks(request),
      this.#plans(request),
      this.#outlooks(request, approval),
    ]);
    return renderApprovalRequest({
      request,
      approval,
      ...(outlook === undefined ? {} : { outlook }),
      ...(plans === undefined ? {} : { plans }),
      ...(threadLink === undefined ? {} : { threadLink }),
      approvers: this.#approverIds,
      ...(this.#approverGroupId === undefined ? {} : { approverGroupId: this.#approverGroupId }),
    });
  }

  async #updateSummary(
    request: ChangeRequest,
    approval: Approval,
    channel: string | undefined,
  ): Promise<void> {
    if (request.report?.ts === undefined) return;
    const summary = renderRunSummary({
      request,
      counts: countResults(request),
      approval,
      approvers: this.#approverIds,
      approvalChannelId: channel ?? null,
    });
    await this.#client.chat.update({
      channel: request.report.channel,
      ts: request.report.ts,
      text: truncate(summary.text, limits.messageText),
      blocks: summary.blocks,
    });
  }

  async #load(requestId: string): Promise<Loaded | null> {
    const [request, approval] = await Promise.all([
      this.#store.getRequest(requestId),
      this.#store.getApproval(requestId),
    ]);
    if (request === null || approval === null) {
      this.#logger.warn(`approval ${requestId} or its request is gone`);
      return null;
    }
    return { request, approval };
  }
}
