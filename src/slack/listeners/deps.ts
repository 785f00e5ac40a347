import type { Config } from '../../config.js';
import type { LicensingService } from '../../licensing/licensing-service.js';
import type { Store } from '../../store/store.js';
import type { Access } from '../access.js';
import type { ApprovalNotifier } from '../approval/approval-notifier.js';
import type { RunTracker } from '../run-tracker.js';
import type { RunOrchestrator } from '../runs/run-orchestrator.js';

/** What every listener may use; built once per app in createSlackApp. */
export interface ListenerDeps {
  config: Config;
  service: LicensingService;
  store: Store;
  access: Access;
  runs: RunTracker;
  /** Submit, approve and resume start runs through it (src/slack/runs). */
  orchestrator: RunOrchestrator;
  /** Approval messages, their updates and what the operator is told about decisions (src/slack/approval). */
  approvals: ApprovalNotifier;
}
