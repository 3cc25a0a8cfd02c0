/** Admin → Business hours over HTTP, on SQLite and PostgreSQL: read by any agent, changed by admins, problems pointing at the field. */
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../support/agent-client.js';
import { sqlBackends, startTestFinch, type TestFinch } from '../support/finch.js';
import { PASSWORD, makeAgent } from '../support/helpdesk.js';

const DAY = [{ open: '09:00', close: '17:00' }];
const BERLIN_HOURS = {
  time_zone: 'Europe/Berlin',
  week: { monday: DAY, tuesday: DAY, wednesday: DAY, thursday: DAY, friday: DAY, saturday: [], sunday: [] },
  holidays: ['2026-12-25', '2026-12-24'],
  first_reply_minutes: 60,
  resolution_minutes: 480,
  write_reply_due_attribute: false,
};

describe.each(sqlBackends())('business hours on %s', (backend) => {
  let finch: TestFinch;
  let admin: AgentClient;
  let agent: AgentClient;
  beforeAll(async () => {
    finch = await startTestFinch(backend);
    admin = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Ada', 'admin')).email, PASSWORD);
    agent = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Abe')).email, PASSWORD);
  });
  afterAll(() => finch?.close());

  it('starts as weekdays 9 to 5 in UTC without targets', async () => {
    const read = await agent.get('/settings/business-hours');
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      time_zone: 'UTC',
      week: { monday: DAY, tuesday: DAY, wednesday: DAY, thursday: DAY, friday: DAY, saturday: [], sunday: [] },
      holidays: [],
      first_reply_minutes: null,
      resolution_minutes: null,
      write_reply_due_attribute: false,
    });
  });

  it('is saved by an admin (ranges in order, holidays sorted) and read back by anyone', async () => {
    const split = {
      ...BERLIN_HOURS,
      week: {
        ...BERLIN_HOURS.week,
        saturday: [
          { open: '14:00', close: '18:00' },
          { open: '10:00', close: '12:00' },
        ],
      },
    };
    const saved = await admin.put('/settings/business-hours', split);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const expected = {
      ...split,
      holidays: ['2026-12-24', '2026-12-25'],
      week: {
        ...split.week,
        saturday: [
          { open: '10:00', close: '12:00' },
          { open: '14:00', close: '18:00' },
        ],
      },
    };
    expect(saved.body).toEqual(expected);
    expect((await agent.get('/settings/business-hours')).body).toEqual(expected);
  });

  it('is refused to agents (403) and to a session without its CSRF token (403)', async () => {
    const before = (await admin.get('/settings/business-hours')).body;
    const byAgent = await agent.put('/settings/business-hours', { ...BERLIN_HOURS, time_zone: 'UTC' });
    expect(byAgent.status).toBe(403);
    expect(byAgent.headers.get('content-type')).toContain('application/problem+json');
    expect((await admin.request('PUT', '/settings/business-hours', { ...BERLIN_HOURS, time_zone: 'UTC' }, { csrf: false })).status).toBe(403);
    expect((await admin.get('/settings/business-hours')).body).toEqual(before);
  });

  it.each([
    ['an unknown time zone', { time_zone: 'Mars/Olympus_Mons' }, 422, 'invalid_time_zone', '/time_zone'],
    [
      'a range closing before it opens',
      { week: { ...BERLIN_HOURS.week, monday: [{ open: '17:00', close: '09:00' }] } },
      422,
      'invalid_opening_hours',
      '/week/monday/0/close',
    ],
    [
      'overlapping ranges',
      {
        week: {
          ...BERLIN_HOURS.week,
          friday: [
            { open: '09:00', close: '13:00' },
            { open: '12:00', close: '17:00' },
          ],
        },
      },
      422,
      'invalid_opening_hours',
      '/week/friday/1/open',
    ],
    ['a malformed time', { week: { ...BERLIN_HOURS.week, monday: [{ open: '9:00', close: '17:00' }] } }, 400, undefined, undefined],
    ['a date that does not exist', { holidays: ['2026-02-30'] }, 400, undefined, undefined],
    ['a target of zero minutes', { first_reply_minutes: 0 }, 400, undefined, undefined],
    ['a target over 720 business hours', { resolution_minutes: 43_201 }, 400, undefined, undefined],
    [
      'a target with no opening hours all week',
      { week: { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] }, resolution_minutes: null },
      422,
      'unreachable_target',
      '/first_reply_minutes',
    ],
    [
      'a target these hours and holidays cannot reach within ten years',
      {
        time_zone: 'Pacific/Chatham',
        week: { monday: [{ open: '00:00', close: '00:01' }], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] },
        holidays: Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)),
        first_reply_minutes: 1,
        resolution_minutes: 43_200,
      },
      422,
      'unreachable_target',
      '/resolution_minutes',
    ],
    ['a legacy time zone the database keeps as its own', { time_zone: 'SystemV/EST5' }, 422, 'invalid_time_zone', '/time_zone'],
  ])('refuses %s', async (_name, change, status, code, pointer) => {
    const response = await admin.put('/settings/business-hours', { ...BERLIN_HOURS, ...change });
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    if (code) expect(response.body).toMatchObject({ code });
    if (pointer) expect(JSON.stringify(response.body)).toContain(pointer);
  });

  it('says why a target cannot be reached, and saves a closed week without targets', async () => {
    const closed = { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] };
    const refused = await admin.put('/settings/business-hours', { ...BERLIN_HOURS, week: closed });
    expect(refused.body).toMatchObject({
      status: 422,
      code: 'unreachable_target',
      errors: [{ pointer: '/first_reply_minutes', detail: 'No day has opening hours, so a first-reply target can never be reached.' }],
    });
    const saved = await admin.put('/settings/business-hours', { ...BERLIN_HOURS, week: closed, first_reply_minutes: null, resolution_minutes: null });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  });

  it.each([
    ['utc', 'UTC'],
    ['Etc/UTC', 'UTC'],
    ['europe/berlin', 'Europe/Berlin'],
    ['EST5EDT', 'America/New_York'],
    ['US/Eastern', 'America/New_York'],
    ['Asia/Kolkata', 'Asia/Kolkata'],
  ])('stores the time zone %s in its IANA spelling, %s', async (given, stored) => {
    const saved = await admin.put('/settings/business-hours', { ...BERLIN_HOURS, time_zone: given });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.time_zone).toBe(stored);
    expect((await agent.get('/settings/business-hours')).body.time_zone).toBe(stored);
  });
});

describe('business hours while SQLite is locked by another process', () => {
  let finch: TestFinch;
  let admin: AgentClient;
  beforeAll(async () => {
    finch = await startTestFinch('sqlite');
    admin = await AgentClient.signIn(finch.baseUrl, (await makeAgent(finch, 'Ada', 'admin')).email, PASSWORD);
  });
  afterAll(() => finch?.close());

  it('answers a change 503 with Retry-After and a problem, and saves it once the lock is gone', { timeout: 20_000 }, async () => {
    const other = new BetterSqlite3(finch.database!.location);
    other.exec('begin immediate');
    try {
      const refused = await admin.put('/settings/business-hours', BERLIN_HOURS);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(refused.body).toMatchObject({ code: 'database_unavailable' });
    } finally {
      other.exec('rollback');
      other.close();
    }
    expect((await admin.put('/settings/business-hours', BERLIN_HOURS)).status).toBe(200);
  });
});
