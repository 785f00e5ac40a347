import { describe, expect, it } from 'vitest';
import { RoleCheck } from '../../src/slack/access.js';
import { RecordingLogger } from '../support/app-harness.js';
import { useSlackFake } from '../support/slack-client.js';

const slack = useSlackFake();

describe('RoleCheck', () => {
  it('allows listed users without asking Slack', async () => {
    const role = new RoleCheck(slack.client, new RecordingLogger(), {
      userIds: ['U1'],
      usergroupId: undefined,
    });
    expect(await role.allows('U1')).toBe(true);
    expect(await role.allows('U2')).toBe(false);
    expect(await role.allows(undefined)).toBe(false);
    expect(slack.fake.calls).toEqual([]);
  });

  it('caches the user group for a minute and asks once for concurrent checks', async () => {
    let now = 0;
    slack.fake.setUsergroup('S1', ['U7']);
    const role = new RoleCheck(slack.client, new RecordingLogger(), {
      userIds: [],
      usergroupId: 'S1',
      now: () => now,
    });
    expect(await Promise.all([role.allows('U7'), role.allows('U8'), role.allows('U7')])).toEqual([
      true,
      false,
      true,
    ]);
    expect(slack.fake.callsTo('usergroups.users.list')).toHaveLength(1);
    slack.fake.setUsergroup('S1', ['U8']);
    now = 59_000;
    expect(await role.allows('U8')).toBe(false);
    now = 61_000;
    expect(await role.allows('U8')).toBe(true);
    expect(await role.allows('U7')).toBe(false);
    expect(slack.fake.callsTo('usergroups.users.list')).toHaveLength(2);
  });

  it('fails closed when Slack cannot list the group, but keeps members it already knew', async () => {
    let now = 0;
    slack.fake.setUsergroup('S1', ['U7']);
    const logger = new RecordingLogger();
    const role = new RoleCheck(slack.client, logger, { userIds: [], usergroupId: 'S1', now: () => now });
    slack.fake.failNext('usergroups.users.list', 'no_such_subteam');
    expect(await role.allows('U7')).toBe(false);
    expect(await role.allows('U7')).toBe(true);
    now = 120_000;
    slack.fake.failNext('usergroups.users.list', 'plan_upgrade_required');
    expect(await role.allows('U7')).toBe(true);
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(2);
  });

  it('does not wait on a rate-limited group list: last known members decide, then the cache fills', async () => {
    let now = 0;
    slack.fake.setUsergroup('S1', ['U7']);
    const logger = new RecordingLogger();
    const role = new RoleCheck(slack.client, logger, {
      userIds: [],
      usergroupId: 'S1',
      membersWaitMs: 100,
      now: () => now,
    });
    // Nothing known yet: closed, at once, while the slack.client waits out the rate limit.
    slack.fake.rateLimitNext('usergroups.users.list', 1);
    const started = performance.now();
    expect(await role.allows('U7')).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await role.allows('U7')).toBe(true);
    // Known members decide while a later refresh is slow.
    now = 61_000;
    slack.fake.rateLimitNext('usergroups.users.list', 1);
    const again = performance.now();
    expect(await role.allows('U7')).toBe(true);
    expect(performance.now() - again).toBeLessThan(500);
    expect(logger.lines.filter((line) => line.text.includes('is slow'))).toHaveLength(2);
  });

  it('lets everyone in when open to all', async () => {
    const role = new RoleCheck(slack.client, new RecordingLogger(), {
      userIds: [],
      usergroupId: undefined,
      openToAll: true,
    });
    expect(await role.allows('U9')).toBe(true);
  });
});
