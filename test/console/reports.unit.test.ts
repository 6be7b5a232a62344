import { agentBuckets, periodRange, queueBuckets, queueTotals, type QueueFigureRow } from '../../console/src/app/supervisor/report-logic';

const figures = (over: Partial<NonNullable<QueueFigureRow['queue']>>): NonNullable<QueueFigureRow['queue']> => ({
  offered: 0,
  answered: 0,
  answeredWithinThreshold: 0,
  abandoned: 0,
  shortAbandoned: 0,
  asaSeconds: null,
  ahtSeconds: null,
  handled: 0,
  longestWaitSeconds: 0,
  ...over,
});

describe('report series', () => {
  const rows: QueueFigureRow[] = [
    { start: '2026-03-04T10:15:00Z', queue: figures({ offered: 4, answered: 3, answeredWithinThreshold: 2, abandoned: 1, shortAbandoned: 1, asaSeconds: 10, ahtSeconds: 200, handled: 3, longestWaitSeconds: 40 }) },
    { start: '2026-03-04T10:00:00Z', queue: figures({ offered: 2, answered: 2, answeredWithinThreshold: 2, asaSeconds: 4, ahtSeconds: 100, handled: 2, longestWaitSeconds: 9 }) },
    { start: '2026-03-04T10:15:00Z', queue: figures({ offered: 1, answered: 1, answeredWithinThreshold: 0, asaSeconds: 30, ahtSeconds: 300, handled: 1, longestWaitSeconds: 31 }) },
    { start: '2026-03-04T10:30:00Z', queue: null },
  ];

  it('adds queues up per interval, oldest first, weighting averages by their calls', () => {
    expect(queueBuckets(rows)).toEqual([
      { start: '2026-03-04T10:00:00Z', offered: 2, answered: 2, abandoned: 0, serviceLevel: 1, asaSeconds: 4, ahtSeconds: 100, longestWaitSeconds: 9 },
      { start: '2026-03-04T10:15:00Z', offered: 5, answered: 4, abandoned: 1, serviceLevel: 0.5, asaSeconds: 15, ahtSeconds: 225, longestWaitSeconds: 40 },
    ]);
  });

  it('totals the period, with no service level when nothing was offered', () => {
    expect(queueTotals(rows)).toMatchObject({ offered: 7, answered: 6, abandoned: 1, serviceLevel: 4 / 6, longestWaitSeconds: 40 });
    expect(queueTotals([])).toMatchObject({ offered: 0, serviceLevel: null, asaSeconds: null });
  });

  it('adds agents up per interval in minutes', () => {
    const agent = (handled: number, talkSeconds: number) => ({ offers: handled, accepted: handled, missed: 0, rejected: 0, handled, talkSeconds, holdSeconds: 0, wrapUpSeconds: 30 });
    expect(agentBuckets([{ start: 'b', agent: agent(1, 90) }, { start: 'a', agent: agent(2, 60) }, { start: 'b', agent: agent(1, 30) }])).toEqual([
      { start: 'a', offers: 2, handled: 2, missed: 0, talkMinutes: 1, holdMinutes: 0, wrapUpMinutes: 0.5 },
      { start: 'b', offers: 2, handled: 2, missed: 0, talkMinutes: 2, holdMinutes: 0, wrapUpMinutes: 1 },
    ]);
  });

  it('names periods from local midnight', () => {
    const now = new Date(2026, 2, 4, 15, 30).getTime();
    expect(periodRange('today', now)).toEqual({ from: new Date(2026, 2, 4).toISOString(), to: new Date(now).toISOString() });
    expect(periodRange('yesterday', now)).toEqual({ from: new Date(2026, 2, 3).toISOString(), to: new Date(2026, 2, 4).toISOString() });
    expect(periodRange('week', now).from).toBe(new Date(2026, 1, 26).toISOString());
  });
});
