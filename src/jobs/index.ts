/**
 * Runs and sweeps as pg-boss jobs (STORE=postgres). How main.ts wires them: see run-queue.ts.
 */
export {
  bossDb,
  type JobContext,
  RUN_CHUNK,
  RUN_FINISH,
  RUN_START,
  type RunChunkJob,
  type RunFinishJob,
  type RunJobHandlers,
  RunQueue,
  type RunQueueOptions,
  type RunStartJob,
} from './run-queue.js';
export { APPROVAL_EXPIRY, RETENTION, SCHEDULES, type ScheduledWork, startSchedules } from './schedules.js';
