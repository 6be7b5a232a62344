import type { AgentEvent } from '../../../api/agents/agent';
import type { CallEvent } from '../../../api/calls/callEvents';
import type { AgentProfile } from '../../../api/config/config';
import type { LegView } from '../../../simulator';
import { Rng } from '../../../simulator/rng';
import type { PlacedCall } from '../../../simulator/world/world';
import { allEvents, sipOf, type Harness } from './harness';

/** Sizes of the storm; CALLFLOW_STORM_CALLS / _AGENTS / _SCALE make a longer run. */
export const stormSize = (defaults: { calls: number; agents: number; scale: number }): { calls: number; agents: number; scale: number } => ({
  calls: Number(process.env.CALLFLOW_STORM_CALLS ?? defaults.calls),
  agents: Number(process.env.CALLFLOW_STORM_AGENTS ?? defaults.agents),
  scale: Number(process.env.CALLFLOW_STORM_SCALE ?? defaults.scale),
});

/** The simulator's seeded generator, so a failing storm can be replayed. */
export const seeded = (seed: number): (() => number) => {
  const rng = new Rng(seed);
  return () => rng.next();
};

const pickWeighted = <T>(random: () => number, choices: Array<[T, number]>): T => {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, weight] of choices) {
    r -= weight;
    if (r <= 0) return value;
  }
  return choices[choices.length - 1][0];
};

export const stormAgentId = (i: number): string => `agent${String(i + 1).padStart(3, '0')}`;

/** Shorter waits than the demo configuration, so every caller reaches an end within the test's bounds. */
export const configureStormQueues = async (h: Harness): Promise<void> => {
  await h.configureQueue('sales', { maxWaitSeconds: 150, ringTimeoutSeconds: 12, reofferDelaySeconds: 5, announcementIntervalSeconds: 30 });
  await h.configureQueue('support', { maxWaitSeconds: 150, ringTimeoutSeconds: 12, reofferDelaySeconds: 5, announcementIntervalSeconds: 40 });
  await h.configureQueue('billing', { maxWaitSeconds: 150, ringTimeoutSeconds: 12, reofferDelaySeconds: 5, overflow: [{ afterSeconds: 60, targetQueueId: 'support' }], recordPolicy: 'always' });
  h.sim.world.setCallee('default', { onRing: 'answer', answerAfterMs: 2000, talkMs: 15_000 });
};

/** Profiles: everyone speaks English, a third Spanish too; skills spread over sales, technical and billing. */
export const stormProfile = (i: number, random: () => number): Partial<AgentProfile> => {
  const skills = [
    { skill: 'sales', level: 1 + Math.floor(random() * 9) },
    { skill: 'technical', level: 1 + Math.floor(random() * 9) },
    { skill: 'billing', level: 1 + Math.floor(random() * 9) },
  ].filter((_, k) => (i + k) % 3 !== 0 || random() < 0.5);
  return {
    name: `Agent ${i + 1}`,
    skills,
    languages: i % 3 === 0 ? ['en', 'es'] : ['en'],
    departments: ['sales', 'support', 'billing'],
    maxNoAnswer: 2,
    wrapUpSeconds: Math.floor(random() * 10),
    mayCallOut: true,
    supervisor: false,
  };
};

/** Agents who mostly answer after a random delay, sometimes reject, sometimes let it ring out. */
export const stormPhone = (random: () => number) => {
  const onRing = pickWeighted<'answer' | 'reject' | 'ignore'>(random, [
    ['answer', 0.8],
    ['reject', 0.1],
    ['ignore', 0.1],
  ]);
  return { onRing, answerAfterMs: 500 + random() * 6000, rejectAfterMs: 300 + random() * 2000, rejectCause: 'call_rejected' as const, handleTimeMs: random() < 0.5 ? 10_000 + random() * 50_000 : null };
};

export const placeStormCaller = (h: Harness, random: () => number, i: number): PlacedCall => {
  const ivr = pickWeighted<string[]>(random, [
    [['1', '1'], 40],
    [['1', '2', '2'], 20],
    [['1', '2', '1'], 15],
    [['2', '1'], 10],
    [['1', '3'], 5],
    [['1', '9'], 5],
    [['1', '8', ''], 5],
  ]);
  return h.sim.world.placeCaller({
    from: `+1555040${String(1000 + (i % 9000)).padStart(4, '0')}`,
    ivr,
    patienceMs: random() < 0.3 ? 10_000 + random() * 120_000 : null,
    talkMs: 5_000 + random() * 60_000,
    maxCallMs: 900_000,
    queueDigit: random() < 0.05 ? { digit: '*', afterMs: 20_000 } : undefined,
  });
};

/** Watches the simulator for an agent device bridged into two calls at once, and for dials that found an agent's phone busy. */
export const watchAgentPhones = (h: Harness, agentIds: readonly string[]) => {
  const agentBySip = new Map(agentIds.map((id) => [sipOf(id), id]));
  const bridgedLegs = new Map<string, Set<string>>();
  let maxAtOnce = 0;
  const overlaps: string[] = [];
  let busy = 0;
  const sipUserOf = (leg: LegView): string | undefined => {
    const match = /^sip:([^@;]+)@/.exec(leg.to);
    return match && agentBySip.has(match[1]) ? match[1] : undefined;
  };
  const stop = h.sim.control.onEvent((event, leg) => {
    const user = sipUserOf(leg);
    if (!user) return;
    let legs = bridgedLegs.get(user);
    if (!legs) bridgedLegs.set(user, (legs = new Set()));
    if (event.eventType === 'call.bridged') {
      legs.add(leg.callControlId);
      if (legs.size > 1) overlaps.push(`${agentBySip.get(user) ?? user}: ${[...legs].join(', ')}`);
      maxAtOnce = Math.max(maxAtOnce, legs.size);
    } else if (event.eventType === 'call.hangup') {
      legs.delete(leg.callControlId);
      if ((event.payload as { hangup_cause?: string }).hangup_cause === 'user_busy') busy += 1;
    }
  });
  return {
    stop,
    report: () => ({ maxCallsAtOnce: maxAtOnce, overlaps: [...overlaps], busyDials: busy }),
  };
};

export interface StormReport {
  calls: number;
  ended: number;
  outcomes: Record<string, number>;
  notEnded: string[];
  aliveLegs: number;
  duplicateCommandIds: number;
  duplicateRequests: number;
  commandsWithoutOutcome: number;
  /** Agents connected to two calls at once according to the call streams. */
  overlappingConnections: string[];
  /** Agent streams where a call started while another was on. */
  agentStreamViolations: string[];
}

const overlaps = (intervals: Array<{ from: string; to: string; callId: string }>): string[] => {
  const sorted = [...intervals].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const out: string[] = [];
  for (let i = 1; i < sorted.length; i++) if (sorted[i].from < sorted[i - 1].to) out.push(`${sorted[i - 1].callId} and ${sorted[i].callId}`);
  return out;
};

/** Checks the guarantees over everything the store holds. */
export const stormReport = async (h: Harness, placed: readonly PlacedCall[], agentIds: readonly string[]): Promise<StormReport> => {
  const events = await allEvents(h.store);
  const byStream = new Map<string, CallEvent[]>();
  for (const e of events) {
    if (!e.streamId.startsWith('call-')) continue;
    let list = byStream.get(e.streamId);
    if (!list) byStream.set(e.streamId, (list = []));
    list.push({ type: e.type, data: e.data } as CallEvent);
  }
  const outcomes: Record<string, number> = {};
  const notEnded: string[] = [];
  let ended = 0;
  for (const call of placed) {
    const list = byStream.get(`call-${call.callSessionId}`) ?? [];
    const end = list.find((e): e is Extract<CallEvent, { type: 'CallEnded' }> => e.type === 'CallEnded');
    if (end) {
      ended += 1;
      outcomes[end.data.outcome] = (outcomes[end.data.outcome] ?? 0) + 1;
    } else {
      notEnded.push(call.callSessionId);
    }
  }
  const requested = new Map<string, number>();
  const settled = new Set<string>();
  const connections = new Map<string, Array<{ from: string; to: string; callId: string }>>();
  for (const [streamId, list] of byStream) {
    const open = new Map<string, string>();
    for (const e of list) {
      if (e.type === 'TelnyxCommandRequested') requested.set(e.data.commandId, (requested.get(e.data.commandId) ?? 0) + 1);
      if (e.type === 'TelnyxCommandAccepted' || e.type === 'TelnyxCommandFailed') settled.add(e.data.commandId);
      if (e.type === 'AgentConnected') open.set(e.data.agentId, e.data.occurredAt);
      if (e.type === 'AgentDisconnected') {
        const from = open.get(e.data.agentId);
        if (from !== undefined) {
          open.delete(e.data.agentId);
          let list2 = connections.get(e.data.agentId);
          if (!list2) connections.set(e.data.agentId, (list2 = []));
          list2.push({ from, to: e.data.occurredAt, callId: e.data.callId });
        }
      }
    }
    for (const [agentId, from] of open) {
      let list2 = connections.get(agentId);
      if (!list2) connections.set(agentId, (list2 = []));
      list2.push({ from, to: '9999', callId: streamId.slice('call-'.length) });
    }
  }
  const overlappingConnections = [...connections].flatMap(([agentId, intervals]) => overlaps(intervals).map((o) => `${agentId}: ${o}`));
  const agentStreamViolations: string[] = [];
  for (const agentId of agentIds) {
    const agentEvents = (await h.store.readStream(`agent-${agentId}`)).map((e) => ({ type: e.type, data: e.data }) as AgentEvent);
    let onCall: string | null = null;
    for (const e of agentEvents) {
      if (e.type === 'AgentCallStarted') {
        if (onCall !== null && onCall !== e.data.callId) agentStreamViolations.push(`${agentId}: ${e.data.callId} started during ${onCall}`);
        onCall = e.data.callId;
      }
      if (e.type === 'AgentCallEnded') onCall = null;
    }
  }
  return {
    calls: placed.length,
    ended,
    outcomes,
    notEnded,
    aliveLegs: h.sim.control.calls({ alive: true }).length,
    duplicateCommandIds: h.sim.control.counters().commands.duplicateCommandIds,
    duplicateRequests: [...requested.values()].filter((n) => n > 1).length,
    commandsWithoutOutcome: [...requested.keys()].filter((id) => !settled.has(id)).length,
    overlappingConnections,
    agentStreamViolations,
  };
};

/** Waits for CallEnded of every placed call, following the store with a subscription filtered on that type. */
export const waitForEnds = async (h: Harness, placed: readonly PlacedCall[], timeoutMs: number): Promise<void> => {
  const open = new Set(placed.map((p) => p.callSessionId));
  const subscription = h.store.subscribeToAll({ fromPosition: 'start', filter: { eventTypePrefixes: ['CallEnded'] } });
  const timer = setTimeout(() => void subscription.close(), timeoutMs);
  try {
    for await (const event of subscription) {
      open.delete((event.data as { callId: string }).callId);
      if (open.size === 0) return;
    }
  } finally {
    clearTimeout(timer);
    await subscription.close();
  }
  const first = [...open][0];
  throw new Error(`${open.size} calls did not end in time: ${[...open].slice(0, 5).join(', ')}\n${await describeCall(h, first)}`);
};

/** The story of one call, for a failure message: its events (with webhook types and command actions) and its legs. */
export const describeCall = async (h: Harness, callId: string): Promise<string> => {
  const events = await h.store.readStream(`call-${callId}`);
  const lines = events.map((e) => {
    const d = e.data as Record<string, unknown>;
    const at = String(d.occurredAt ?? '').slice(11, 23);
    if (e.type === 'TelnyxWebhookReceived' || e.type === 'TelnyxWebhookLinked') return `${at} ${e.type === 'TelnyxWebhookLinked' ? 'linked ' : ''}${String(d.eventType)} ${String(d.callControlId ?? '').slice(-6)} ${JSON.stringify((d.payload as Record<string, unknown>).hangup_cause ?? (d.payload as Record<string, unknown>).status ?? '')}`;
    if (e.type === 'TelnyxCommandRequested') return `${at}   -> ${String(d.action)} ${String(d.callControlId ?? '').slice(-6)} (${String(d.reason)})`;
    if (e.type === 'TelnyxCommandAccepted' || e.type === 'TelnyxCommandFailed') return `${at}   <- ${e.type} ${String(d.action)} ${JSON.stringify(d.error ?? '')}`;
    return `${at} ${e.type} ${JSON.stringify({ ...d, callId: undefined, occurredAt: undefined, causeId: undefined, candidates: undefined, attributes: undefined }).slice(0, 200)}`;
  });
  const legs = h.sim.control.calls().filter((l) => l.callSessionId === callId || (l.clientState ?? '').length > 0 && Buffer.from(l.clientState ?? '', 'base64').toString().includes(callId));
  return [...lines, ...legs.map((l) => `leg ${l.callControlId.slice(-6)} ${l.direction} ${l.to} ${l.state} ${l.hangupCause ?? ''}`)].join('\n');
};

/**
 * The storm's staff: configures the storm queues, logs `count` agents in with random profiles and
 * phones, watches their phones, and brings every agent back from break every 1.5 s (agents sent on
 * break for missing offers come back after a while, as people do) until `stopReturns`.
 */
export const stormAgents = async (h: Harness, random: () => number, count: number) => {
  await configureStormQueues(h);
  const agentIds = Array.from({ length: count }, (_, i) => stormAgentId(i));
  for (const [i, agentId] of agentIds.entries()) await h.agent(agentId, stormPhone(random), stormProfile(i, random));
  const phones = watchAgentPhones(h, agentIds);
  let stopped = false;
  const returns = (async () => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      for (const agentId of agentIds) {
        if (stopped) break;
        await h.control.setAgentStatus({ agentId, status: 'Available' }, h.ctx(agentId)).catch(() => undefined);
      }
    }
  })();
  return {
    agentIds,
    phones,
    async stopReturns(): Promise<void> {
      stopped = true;
      await returns;
    },
  };
};
