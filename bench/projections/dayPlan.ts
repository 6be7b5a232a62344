import type { AgentProfile } from '../../api/config/config';
import { Rng } from '../../simulator/rng';
import type { AgentPlan, CallPlan, OutboundPlan } from './centerSimulation';

/**
 * A day of a contact center: agents on two overlapping shifts with breaks and lunch, calls arriving with
 * a morning and an afternoon peak, callers choosing in the IVR (English or Spanish; sales, billing,
 * technical support, callback, voicemail; some time out), waiting with limited patience, some holds,
 * missed and declined offers, wrap-ups submitted or left to time out, and outbound calls.
 */
/**
 * The demo queues, tuned for 200 agents: billing rings every matching idle agent, so it asks for a level
 * few agents have (a ring-all to sixty agents is not how a large center runs).
 */
export const tunedQueues = <T extends { queueId: string; requiredSkills: Array<{ skill: string; minLevel: number }> }>(queues: T[]): T[] =>
  queues.map((q) => (q.queueId === 'billing' ? { ...q, requiredSkills: [{ skill: 'billing', minLevel: 9 }] } : q));

export interface DayPlan {
  start: string;
  agents: AgentProfile[];
  agentPlans: AgentPlan[];
  calls: CallPlan[];
  outbound: OutboundPlan[];
}

/** The simulator's seeded generator, so a plan is the same on every run. */
const random = (seed: number): (() => number) => {
  const rng = new Rng(seed);
  return () => rng.next();
};

const HOUR = 3_600_000;

export interface DayPlanOptions {
  agents: number;
  calls: number;
  /** Midnight UTC of the day; the center works 08:00-20:00 UTC. */
  day?: string;
  seed?: number;
}

export const dayPlan = ({ agents: agentCount, calls: callCount, day = '2026-03-02T00:00:00.000Z', seed = 42 }: DayPlanOptions): DayPlan => {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
  const exp = (mean: number): number => -Math.log(1 - rnd()) * mean;
  const midnight = Date.parse(day);
  const iso = (ms: number): string => new Date(Math.round(ms)).toISOString();
  const open = midnight + 8 * HOUR;

  const agents: AgentProfile[] = [];
  const agentPlans: AgentPlan[] = [];
  for (let i = 0; i < agentCount; i++) {
    const agentId = `agent-${String(i + 1).padStart(3, '0')}`;
    const team = i % 3;
    const skills =
      team === 0
        ? [{ skill: 'sales', level: 4 + (i % 6) }, { skill: 'technical', level: 1 + (i % 3) }]
        : team === 1
          ? [{ skill: 'technical', level: 3 + (i % 7) }, { skill: 'billing', level: 1 + (i % 4) }]
          : [{ skill: 'billing', level: 2 + (i % 8) }, { skill: 'sales', level: 2 + (i % 5) }];
    agents.push({
      agentId,
      name: `Agent ${i + 1}`,
      skills,
      // Bilingual agents on both shifts (even agents work mornings, odd ones afternoons).
      languages: i % 6 < 2 ? ['en', 'es'] : ['en'],
      departments: team === 0 ? ['sales', 'support'] : team === 1 ? ['support', 'billing'] : ['billing', 'sales', 'support'],
      maxNoAnswer: 3,
      wrapUpSeconds: 20 + (i % 4) * 5,
      mayCallOut: true,
      outboundQueueId: team === 0 ? 'sales' : 'support',
      supervisor: false,
    });
    const shiftStart = i % 2 === 0 ? open : open + 4 * HOUR;
    const loginAt = shiftStart + rnd() * 10 * 60_000;
    const breaks = [
      { at: iso(shiftStart + 2 * HOUR + rnd() * 30 * 60_000), seconds: 900, reason: 'break' },
      { at: iso(shiftStart + 4 * HOUR + rnd() * 30 * 60_000), seconds: 1800, reason: 'lunch' },
      { at: iso(shiftStart + 6 * HOUR + rnd() * 30 * 60_000), seconds: 900, reason: 'break' },
    ];
    agentPlans.push({ agentId, loginAt: iso(loginAt), logoutAt: iso(shiftStart + 8 * HOUR), breaks });
  }

  // Arrivals follow two peaks (late morning, mid afternoon) over a flat base.
  const weight = (ms: number): number => {
    const h = (ms - midnight) / HOUR;
    return 0.6 + Math.exp(-((h - 10.5) ** 2) / 2) + 0.8 * Math.exp(-((h - 15) ** 2) / 2);
  };
  const slots = 12 * 60;
  const weights = Array.from({ length: slots }, (_, m) => weight(open + m * 60_000));
  const total = weights.reduce((a, b) => a + b, 0);
  const arrivals: number[] = [];
  weights.forEach((w, m) => {
    const expected = (w / total) * callCount;
    const n = Math.floor(expected) + (rnd() < expected - Math.floor(expected) ? 1 : 0);
    for (let k = 0; k < n; k++) arrivals.push(open + m * 60_000 + rnd() * 60_000);
  });
  arrivals.sort((a, b) => a - b);

  const numbers = Array.from({ length: 5000 }, (_, i) => `+1555${String(3000000 + i * 37).padStart(7, '0')}`);
  const agentIds = agents.map((a) => a.agentId);
  const calls: CallPlan[] = arrivals.map((ms, i) => {
    const spanish = rnd() < 0.12;
    const r = rnd();
    const menu = r < 0.38 ? ['1'] : r < 0.55 ? ['2', '1'] : r < 0.85 ? ['2', '2'] : r < 0.89 ? ['3'] : r < 0.91 ? ['9'] : r < 0.95 ? ['', '', ''] : ['7', '1'];
    const digits = [spanish ? '2' : rnd() < 0.03 ? '' : '1', ...menu];
    const plan: CallPlan = {
      callId: `call-${String(i + 1).padStart(6, '0')}`,
      at: iso(ms),
      from: rnd() < 0.02 ? pick(['+15550200101', '+15550200102', '+15550200103', '+15550200104']) : pick(numbers),
      digits,
      patienceSeconds: 20 + exp(240),
      talkSeconds: Math.round(60 + exp(200)),
      hangupBy: rnd() < 0.8 ? 'customer' : 'agent',
      answerAfterSeconds: 2 + Math.round(rnd() * 6),
      voicemailSeconds: 10 + Math.round(rnd() * 40),
    };
    if (rnd() < 0.15) plan.hold = { afterSeconds: 20 + Math.round(rnd() * 60), seconds: 10 + Math.round(rnd() * 50) };
    if (rnd() < 0.3) plan.noAnswerBy = Array.from({ length: 20 }, () => pick(agentIds));
    if (rnd() < 0.05) plan.declineBy = Array.from({ length: 10 }, () => pick(agentIds));
    if (rnd() < 0.7) {
      plan.dispositionAfterSeconds = 3 + Math.round(rnd() * 15);
      plan.disposition = pick(['resolved', 'sale', 'follow-up', 'escalated']);
    }
    if (rnd() < 0.05) plan.queueDigit = { digit: rnd() < 0.8 ? '*' : '#', afterSeconds: 15 + Math.round(rnd() * 60) };
    return plan;
  });

  const outbound: OutboundPlan[] = [];
  for (let i = 0; i < Math.round(callCount * 0.05); i++) {
    outbound.push({
      agentId: pick(agentIds),
      at: iso(open + rnd() * 12 * HOUR),
      destination: pick(numbers),
      answerAfterSeconds: 3 + Math.round(rnd() * 15),
      talkSeconds: Math.round(30 + exp(150)),
    });
  }
  outbound.sort((a, b) => (a.at < b.at ? -1 : 1));
  return { start: iso(midnight + 7 * HOUR), agents, agentPlans, calls, outbound };
};
