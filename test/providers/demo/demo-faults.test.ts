import { describe, expect, it } from 'vitest';
import { WriteAdmission } from '../../../src/providers/demo/demo-faults.js';
import { WriteQuota } from '../../../src/providers/demo/write-quota.js';

const faults = {
  throttleRate: 0.2,
  serverErrorRate: 0.1,
  timeoutRate: 0.05,
  retryAfterMs: 1500,
  timeoutMs: 5,
};

function admission(roll: number, quota?: WriteQuota) {
  const counts = { throttled: 0, faults: 0 };
  const rolls: number[] = [];
  const gate = new WriteAdmission(
    quota,
    faults,
    () => {
      rolls.push(roll);
      return roll;
    },
    counts,
  );
  return { gate, counts, rolls };
}

describe('WriteAdmission', () => {
  it('decides among the faults with one roll, each rate a slice of [0, 1) in order', async () => {
    const throttle = admission(0.1);
    await expect(throttle.gate.admit('t', 'u1')).rejects.toMatchObject({
      reason: 'throttled',
      retryAfterMs: 1500,
    });
    expect(throttle.counts).toEqual({ throttled: 1, faults: 1 });

    const busy = admission(0.25);
    await expect(busy.gate.admit('t', 'u1')).rejects.toMatchObject({
      transient: true,
      message: expect.stringContaining('busy'),
    });
    expect(busy.counts).toEqual({ throttled: 0, faults: 1 });

    const timeout = admission(0.32);
    await expect(timeout.gate.admit('t', 'u1')).rejects.toMatchObject({
      transient: true,
      message: 'The request timed out.',
    });
    expect(timeout.counts).toEqual({ throttled: 0, faults: 1 });

    const through = admission(0.36);
    await expect(through.gate.admit('t', 'u1')).resolves.toBeUndefined();
    expect(through.counts).toEqual({ throttled: 0, faults: 0 });
  });

  it('asks the write quota first: a refusal there rolls no fault', async () => {
    const { gate, counts, rolls } = admission(0.9, new WriteQuota(1, 1, () => 0));
    await gate.admit('t', 'u1');
    await expect(gate.admit('t', 'u1')).rejects.toMatchObject({ reason: 'throttled', retryAfterMs: 1000 });
    expect({ counts, rolls: rolls.length }).toEqual({ counts: { throttled: 1, faults: 0 }, rolls: 1 });
  });

  it('admits everything once the faults are taken away', async () => {
    const { gate, counts } = admission(0);
    gate.faults = undefined;
    await gate.admit('t', 'u1');
    expect(counts).toEqual({ throttled: 0, faults: 0 });
  });

  it('puts the faults only in the way of the users named, when it names some', async () => {
    const { gate, counts } = admission(0.1);
    gate.faults = { ...faults, users: ['u2'] };
    await expect(gate.admit('t', 'u1')).resolves.toBeUndefined();
    await expect(gate.admit('t', 'u2')).rejects.toMatchObject({ reason: 'throttled' });
    expect(counts).toEqual({ throttled: 1, faults: 1 });
  });
});
