import { describe, expect, it } from 'vitest';
import { RunReporting } from '../../../src/licensing/execution/run-reporting.js';
import { makeChangeRequest } from '../../support/licensing-factories.js';
import { RecordingReporter } from '../../support/recording-reporter.js';

function reporting(progressIntervalMs = 1000) {
  const log: string[] = [];
  let time = 0;
  const reporter = new RecordingReporter();
  const warnings: unknown[][] = [];
  const run = new RunReporting({
    reporter,
    flush: async () => {
      log.push('flush');
    },
    progressIntervalMs,
    now: () => new Date(time),
    logger: { warn: (...parts) => warnings.push(parts) },
  });
  const tell = (what: string) => async () => {
    log.push(what);
  };
  return { run, reporter, log, warnings, tell, advance: (ms: number) => (time += ms) };
}

describe('RunReporting', () => {
  it('tells the reporter one call after another, each behind a flush of the store', async () => {
    const { run, log, tell } = reporting();
    const request = makeChangeRequest();
    run.tell(request, 'started', tell('started'));
    run.tell(request, 'itemDone', tell('itemDone'));
    expect(log).toEqual([]);
    await run.settled();
    expect(log).toEqual(['flush', 'started', 'flush', 'itemDone']);
  });

  it('logs a failed call and goes on with the next', async () => {
    const { run, log, warnings, tell } = reporting();
    const request = makeChangeRequest({ id: 'req_1' });
    run.tell(request, 'started', async () => {
      throw new Error('Slack is down');
    });
    run.tell(request, 'finished', tell('finished'));
    await run.settled();
    expect(log).toEqual(['flush', 'flush', 'finished']);
    expect(warnings).toEqual([
      ['[executor] reporter.started failed for req_1; the run goes on:', new Error('Slack is down')],
    ]);
  });

  it('reports progress at most once per interval', async () => {
    const { run, reporter, advance } = reporting(1000);
    const request = makeChangeRequest();
    run.progress(request);
    advance(999);
    run.progress(request);
    advance(1);
    run.progress(request);
    run.progress(request);
    advance(1000);
    run.progress(request);
    await run.settled();
    expect(reporter.of('progress')).toHaveLength(2);
  });
});
