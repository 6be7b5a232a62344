import { REPORT_COLLECTIONS, REPORTS_PROJECTION, emptyAgentMetrics, emptyQueueMetrics } from '../../projections/reports/reportsProjection';
import { CENTER_CONFIG_ID, emptyCenterConfig } from '../../projections/shared/centerConfig';
import { QUEUE_COLLECTIONS, QUEUE_PROJECTION } from '../../projections/queue/queueProjection';
import { errorCode, startHarness, type Harness } from './support/apiHarness';
import { queueDoc, ReadModelFixture } from './support/readModelDocs';

const REPORTS = `query($scope: ReportScope!, $id: String, $from: DateTimeISO!, $to: DateTimeISO!, $granularity: ReportGranularity!) {
  reports(scope: $scope, id: $id, from: $from, to: $to, granularity: $granularity) {
    scope id granularity start end date
    queue { offered answered abandoned shortAbandoned serviceLevel asaSeconds ahtSeconds longestWaitSeconds occupancy offeredBy { ivr overflow } }
    agent { offers accepted missed handled talkSeconds loggedInSeconds occupancy stateSeconds { idle onCall } }
  }
}`;

interface Row {
  scope: string;
  id: string;
  granularity: string;
  start: string;
  end: string | null;
  date: string;
  queue: Record<string, unknown> | null;
  agent: Record<string, unknown> | null;
}

const interval = (queueId: string, start: string, figures: Record<string, unknown>) => ({
  _id: `${queueId}|${start}`,
  queueId,
  intervalStart: start,
  intervalEnd: new Date(Date.parse(start) + 15 * 60_000).toISOString(),
  date: start.slice(0, 10),
  ...emptyQueueMetrics(),
  ...figures,
});

describe('reports', () => {
  let h: Harness;
  const tokens: Record<string, string> = {};
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    h = await startHarness();
    await h.createUser({ username: 'sue', roles: ['SUPERVISOR'] });
    await h.createUser({ username: 'ada', roles: ['ANALYST'] });
    await h.createUser({ username: 'ann', roles: ['AGENT'], agentId: 'ann' });
    for (const name of ['sue', 'ada', 'ann']) tokens[name] = (await h.login(name)).accessToken;

    const fixture = new ReadModelFixture(h.readModels);
    await fixture.activate(REPORTS_PROJECTION);
    await fixture.activate(QUEUE_PROJECTION);
    await fixture.write(REPORTS_PROJECTION, REPORT_COLLECTIONS.center, { _id: CENTER_CONFIG_ID, ...emptyCenterConfig(), timezone: 'UTC' });
    await fixture.write(
      REPORTS_PROJECTION,
      REPORT_COLLECTIONS.queueIntervals,
      interval('support', '2026-03-02T09:00:00.000Z', { offered: 4, answered: 3, abandoned: 1, shortAbandoned: 1, serviceLevel: 0.75, asaSeconds: 12.5, longestWaitSeconds: 40 }),
      interval('support', '2026-03-02T09:15:00.000Z', { offered: 2, answered: 2, serviceLevel: 1, asaSeconds: 8 }),
      interval('sales', '2026-03-02T09:15:00.000Z', { offered: 1, answered: 1 }),
      interval('support', '2026-03-02T10:00:00.000Z', { offered: 9 }),
    );
    await fixture.write(
      REPORTS_PROJECTION,
      REPORT_COLLECTIONS.queueDays,
      { _id: `support|${today}`, queueId: 'support', date: today, ...emptyQueueMetrics(), offered: 15, answered: 14, serviceLevel: 0.9, asaSeconds: 9.5 },
      { _id: 'support|2026-03-02', queueId: 'support', date: '2026-03-02', ...emptyQueueMetrics(), offered: 6, offeredBy: { ivr: 5, ivrDefault: 0, callback: 0, overflow: 1, transfer: 0 } },
    );
    await fixture.write(REPORTS_PROJECTION, REPORT_COLLECTIONS.agentDays, {
      _id: 'ann|2026-03-02',
      agentId: 'ann',
      date: '2026-03-02',
      ...emptyAgentMetrics(),
      offers: 5,
      accepted: 4,
      missed: 1,
      handled: 4,
      talkSeconds: 600,
      loggedInSeconds: 3600,
      occupancy: 0.4,
      stateSeconds: { idle: 2000, ringing: 40, onCall: 1000, wrapUp: 200, break: 360 },
    });
    await fixture.write(QUEUE_PROJECTION, QUEUE_COLLECTIONS.queues, queueDoc('support'));
  });

  afterAll(async () => {
    await h.close();
  });

  const reports = async (token: string, variables: Record<string, unknown>): Promise<Row[]> => {
    const res = await h.gql<{ reports: Row[] }>(REPORTS, variables, token);
    expect(res.errors).toBeUndefined();
    return res.data!.reports;
  };

  it('gives 15-minute intervals of a queue, oldest first, within the range', async () => {
    const rows = await reports(tokens.sue, { scope: 'QUEUE', id: 'support', from: '2026-03-02T09:00:00.000Z', to: '2026-03-02T10:00:00.000Z', granularity: 'INTERVAL' });
    expect(rows.map((r) => [r.id, r.start, r.end])).toEqual([
      ['support', '2026-03-02T09:00:00.000Z', '2026-03-02T09:15:00.000Z'],
      ['support', '2026-03-02T09:15:00.000Z', '2026-03-02T09:30:00.000Z'],
    ]);
    expect(rows[0]).toMatchObject({ scope: 'QUEUE', granularity: 'INTERVAL', agent: null, queue: { offered: 4, answered: 3, abandoned: 1, shortAbandoned: 1, serviceLevel: 0.75, asaSeconds: 12.5, longestWaitSeconds: 40 } });
  });

  it('gives every queue when no id is given', async () => {
    const rows = await reports(tokens.ada, { scope: 'QUEUE', from: '2026-03-02T09:15:00.000Z', to: '2026-03-02T09:30:00.000Z', granularity: 'INTERVAL' });
    expect(rows.map((r) => r.id).sort()).toEqual(['sales', 'support']);
  });

  it('gives days of an agent in the center time zone', async () => {
    const rows = await reports(tokens.ada, { scope: 'AGENT', id: 'ann', from: '2026-03-01T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z', granularity: 'DAY' });
    expect(rows).toEqual([
      {
        scope: 'AGENT',
        id: 'ann',
        granularity: 'DAY',
        start: '2026-03-02T00:00:00.000Z',
        end: null,
        date: '2026-03-02',
        queue: null,
        agent: { offers: 5, accepted: 4, missed: 1, handled: 4, talkSeconds: 600, loggedInSeconds: 3600, occupancy: 0.4, stateSeconds: { idle: 2000, onCall: 1000 } },
      },
    ]);
    const queueDays = await reports(tokens.ada, { scope: 'QUEUE', id: 'support', from: '2026-03-02T00:00:00.000Z', to: '2026-03-03T00:00:00.000Z', granularity: 'DAY' });
    expect(queueDays.map((r) => [r.date, r.queue?.offered, r.queue?.offeredBy])).toEqual([['2026-03-02', 6, { ivr: 5, overflow: 1 }]]);
  });

  it("shows today's figures on the queue view", async () => {
    const res = await h.gql<{ queue: { today: { offered: number; serviceLevel: number; asaSeconds: number } } }>(`query { queue(id: "support") { today { offered serviceLevel asaSeconds } } }`, {}, tokens.ann);
    expect(res.data?.queue.today).toEqual({ offered: 15, serviceLevel: 0.9, asaSeconds: 9.5 });
  });

  it('refuses a reversed or too long range', async () => {
    expect(errorCode(await h.gql(REPORTS, { scope: 'QUEUE', from: '2026-03-02T10:00:00.000Z', to: '2026-03-02T09:00:00.000Z', granularity: 'INTERVAL' }, tokens.sue))).toBe('BAD_USER_INPUT');
    expect(errorCode(await h.gql(REPORTS, { scope: 'QUEUE', from: '2026-01-01T00:00:00.000Z', to: '2026-03-02T09:00:00.000Z', granularity: 'INTERVAL' }, tokens.sue))).toBe('BAD_USER_INPUT');
  });
});
