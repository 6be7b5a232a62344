/**
 * Turning report rows (one per queue or agent and interval) into the series the charts draw. Pure,
 * so the arithmetic is tested directly.
 */

export interface QueueFigureRow {
  start: string;
  queue: {
    offered: number;
    answered: number;
    answeredWithinThreshold: number;
    abandoned: number;
    shortAbandoned: number;
    asaSeconds: number | null;
    ahtSeconds: number | null;
    handled: number;
    longestWaitSeconds: number;
  } | null;
}

export interface AgentFigureRow {
  start: string;
  agent: { offers: number; accepted: number; missed: number; rejected: number; handled: number; talkSeconds: number; holdSeconds: number; wrapUpSeconds: number } | null;
}

export interface QueueBucket {
  start: string;
  offered: number;
  answered: number;
  abandoned: number;
  /** 0..1 of the calls offered (short abandons excluded) answered within the threshold; null with nothing offered. */
  serviceLevel: number | null;
  asaSeconds: number | null;
  ahtSeconds: number | null;
  longestWaitSeconds: number;
}

const weighted = (pairs: Array<[number | null, number]>): number | null => {
  let sum = 0;
  let weight = 0;
  for (const [value, w] of pairs) {
    if (value === null || w <= 0) continue;
    sum += value * w;
    weight += w;
  }
  return weight > 0 ? sum / weight : null;
};

/** Rows of several queues added up per interval, oldest first. */
export const queueBuckets = (rows: readonly QueueFigureRow[]): QueueBucket[] => {
  const byStart = new Map<string, QueueFigureRow[]>();
  for (const row of rows) if (row.queue) byStart.set(row.start, [...(byStart.get(row.start) ?? []), row]);
  return [...byStart.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([start, group]) => {
      const q = group.map((r) => r.queue!);
      const offered = q.reduce((s, x) => s + x.offered, 0);
      const counted = q.reduce((s, x) => s + x.offered - x.shortAbandoned, 0);
      const within = q.reduce((s, x) => s + x.answeredWithinThreshold, 0);
      return {
        start,
        offered,
        answered: q.reduce((s, x) => s + x.answered, 0),
        abandoned: q.reduce((s, x) => s + x.abandoned, 0),
        serviceLevel: counted > 0 ? within / counted : null,
        asaSeconds: weighted(q.map((x) => [x.asaSeconds, x.answered])),
        ahtSeconds: weighted(q.map((x) => [x.ahtSeconds, x.handled])),
        longestWaitSeconds: Math.max(0, ...q.map((x) => x.longestWaitSeconds)),
      };
    });
};

export interface AgentBucket {
  start: string;
  offers: number;
  handled: number;
  missed: number;
  talkMinutes: number;
  holdMinutes: number;
  wrapUpMinutes: number;
}

export const agentBuckets = (rows: readonly AgentFigureRow[]): AgentBucket[] => {
  const byStart = new Map<string, AgentBucket>();
  for (const row of rows) {
    if (!row.agent) continue;
    const b = byStart.get(row.start) ?? { start: row.start, offers: 0, handled: 0, missed: 0, talkMinutes: 0, holdMinutes: 0, wrapUpMinutes: 0 };
    b.offers += row.agent.offers;
    b.handled += row.agent.handled;
    b.missed += row.agent.missed;
    b.talkMinutes += row.agent.talkSeconds / 60;
    b.holdMinutes += row.agent.holdSeconds / 60;
    b.wrapUpMinutes += row.agent.wrapUpSeconds / 60;
    byStart.set(row.start, b);
  }
  return [...byStart.values()].sort((a, b) => a.start.localeCompare(b.start));
};

/** Totals over the whole period (the table's last line). */
export const queueTotals = (rows: readonly QueueFigureRow[]): Omit<QueueBucket, 'start'> => {
  const all = queueBuckets(rows.map((r) => ({ ...r, start: 'all' })));
  return all[0] ?? { offered: 0, answered: 0, abandoned: 0, serviceLevel: null, asaSeconds: null, ahtSeconds: null, longestWaitSeconds: 0 };
};

export type Period = 'today' | 'yesterday' | 'week' | 'custom';

/** The [from, to) of a named period in the browser's zone, at `nowMs`. */
export const periodRange = (period: Exclude<Period, 'custom'>, nowMs: number): { from: string; to: string } => {
  const startOfDay = (ms: number): Date => {
    const d = new Date(ms);
    d.setHours(0, 0, 0, 0);
    return d;
  };
  const today = startOfDay(nowMs);
  switch (period) {
    case 'today':
      return { from: today.toISOString(), to: new Date(nowMs).toISOString() };
    case 'yesterday': {
      const y = new Date(today);
      y.setDate(y.getDate() - 1);
      return { from: y.toISOString(), to: today.toISOString() };
    }
    case 'week': {
      const w = new Date(today);
      w.setDate(w.getDate() - 6);
      return { from: w.toISOString(), to: new Date(nowMs).toISOString() };
    }
  }
};
