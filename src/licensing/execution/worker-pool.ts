/**
 * Runs tasks 0 … count−1 in order with at most `concurrency` in flight. The first task that
 * throws stops the pool from starting more, as does `stop()` turning true (shutdown); tasks in
 * flight always finish. The caller decides what a crash or an early stop means.
 */
export interface PoolOutcome {
  /** The first error a task threw, if any. */
  crash: { error: unknown } | null;
  /** How many tasks were started (fewer than `count` after a crash or a stop). */
  started: number;
}

export async function runPool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<PoolOutcome> {
  let started = 0;
  let crash: PoolOutcome['crash'] = null;
  const worker = async () => {
    while (crash === null && !stop() && started < count) {
      const index = started++;
      try {
        await task(index);
      } catch (error) {
        crash ??= { error };
      }
    }
  };
  const workers = Math.max(1, Math.min(concurrency, count));
  await Promise.all(Array.from({ length: workers }, worker));
  return { crash, started };
}
