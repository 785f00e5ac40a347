import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { KeyedSerial } from '../../src/licensing/service-serial.js';

describe('KeyedSerial', () => {
  it('runs work of one key one at a time, in order, and other keys alongside', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => {
      log.push(`${name} starts`);
      await sleep(ms);
      log.push(`${name} ends`);
      return name;
    };
    const results = await Promise.all([
      serial.run('a', step('a1', 20)),
      serial.run('a', step('a2', 1)),
      serial.run('b', step('b1', 1)),
    ]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('a2 starts')).toBeGreaterThan(log.indexOf('a1 ends'));
    expect(log.indexOf('b1 ends')).toBeLessThan(log.indexOf('a1 ends'));
  });

  it('goes on with the next work of a key after a failure, and forgets a key once idle', async () => {
    const serial = new KeyedSerial();
    const failed = serial.run('a', async () => {
      throw new Error('boom');
    });
    const next = serial.run('a', async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
    await sleep(0);
    expect(serial.size).toBe(0);
  });
});
