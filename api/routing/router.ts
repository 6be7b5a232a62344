import type { AgentSkill, CallAttributes, QueueConfig, SkillRequirement } from '../config/config';
import { deterministicId } from '../core/decider';
import type { RoutingCandidate, RoutingDecision, RoutingMethod } from './routingDecision';

////////////////////////////////////////// Snapshot

export interface WaitingCall {
  callId: string;
  entryId: string;
  queueId: string;
  kind: 'call' | 'callback';
  priority: number;
  /** The original enqueue time (kept across overflow, transfers and callbacks). */
  enqueuedAt: string;
  attributes: CallAttributes;
  /** A blind transfer to one agent: only that agent may take it. */
  targetAgentId: string | null;
  excludedAgents: Array<{ agentId: string; until: string }>;
}

export type AgentActivityKind = 'Idle' | 'Reserved' | 'Ringing' | 'OnCall' | 'WrapUp';

export interface RoutingAgent {
  agentId: string;
  status: 'Offline' | 'Available' | 'Break';
  breakReason: string | null;
  activity: AgentActivityKind;
  skills: AgentSkill[];
  languages: string[];
  departments: string[];
  idleSince: string | null;
  registered: boolean;
  sipUsername: string | null;
}

export interface RoutingSnapshot {
  now: string;
  queues: Record<string, QueueConfig>;
  waitingCalls: WaitingCall[];
  agents: RoutingAgent[];
  /** Per queue, the agent who got the last round-robin call (from RoutingDecisionMade history). */
  roundRobinPointers: Record<string, string>;
}

export interface Requirements {
  skills: SkillRequirement[];
  language: string | null;
  department: string | null;
}

////////////////////////////////////////// Matching

const secondsBetween = (from: string, to: string): number => Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));

/** The queue's requirements, tightened by what the caller chose in the IVR. */
export const requirementsFor = (queue: QueueConfig, attributes: CallAttributes): Requirements => {
  const skills = new Map<string, number>();
  for (const s of [...queue.requiredSkills, ...(attributes.skills ?? [])]) skills.set(s.skill, Math.max(skills.get(s.skill) ?? 0, s.minLevel));
  return {
    skills: [...skills].map(([skill, minLevel]) => ({ skill, minLevel })),
    language: attributes.language ?? queue.language ?? null,
    department: attributes.department ?? queue.department ?? null,
  };
};

/** Why the agent does not meet the call's requirements (empty when it does). */
export const requirementGaps = (agent: RoutingAgent, requirements: Requirements): string[] => {
  const gaps: string[] = [];
  for (const required of requirements.skills) {
    const level = agent.skills.find((s) => s.skill === required.skill)?.level;
    if (level === undefined) gaps.push(`missing skill ${required.skill}`);
    else if (level < required.minLevel) gaps.push(`skill ${required.skill} level ${level} below ${required.minLevel}`);
  }
  if (requirements.language !== null && !agent.languages.includes(requirements.language)) gaps.push(`does not speak ${requirements.language}`);
  if (requirements.department !== null && !agent.departments.includes(requirements.department)) gaps.push(`not in department ${requirements.department}`);
  return gaps;
};

/** Why the agent cannot take any call right now (empty when available, idle and registered). */
export const availabilityGaps = (agent: RoutingAgent): string[] => {
  const gaps: string[] = [];
  if (agent.status === 'Offline') gaps.push('logged out');
  if (agent.status === 'Break') gaps.push(`on break (${agent.breakReason ?? 'break'})`);
  if (!agent.registered || agent.sipUsername === null) gaps.push('device not registered');
  if (agent.activity !== 'Idle') gaps.push(`busy (${agent.activity})`);
  return gaps;
};

const byWaitOrder = (a: WaitingCall, b: WaitingCall): number =>
  b.priority - a.priority || (a.enqueuedAt < b.enqueuedAt ? -1 : a.enqueuedAt > b.enqueuedAt ? 1 : 0) || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0);

/** Callers in routing order: priority first, then the longest wait (FreeSWITCH's score: base score + seconds waited). */
export const routingOrder = (calls: readonly WaitingCall[]): WaitingCall[] => [...calls].sort(byWaitOrder);

interface Assessed {
  agent: RoutingAgent;
  reasons: string[];
  matches: boolean;
  eligible: boolean;
}

const assess = (call: WaitingCall, agent: RoutingAgent, requirements: Requirements, now: string, takenBy: ReadonlyMap<string, string>): Assessed => {
  if (call.targetAgentId !== null && agent.agentId !== call.targetAgentId) return { agent, reasons: [`the call is for agent ${call.targetAgentId}`], matches: false, eligible: false };
  const requirementReasons = call.targetAgentId !== null ? [] : requirementGaps(agent, requirements);
  const reasons = [...availabilityGaps(agent)];
  const taken = takenBy.get(agent.agentId);
  if (taken !== undefined) reasons.push(`already chosen for call ${taken}`);
  const excluded = call.excludedAgents.find((e) => e.agentId === agent.agentId && e.until > now);
  if (excluded) reasons.push(`declined or missed this call; not offered it again before ${excluded.until}`);
  reasons.push(...requirementReasons);
  return { agent, reasons, matches: requirementReasons.length === 0, eligible: reasons.length === 0 };
};

const waitingReasonFor = (call: WaitingCall, assessed: Assessed[], requirements: Requirements): string => {
  if (assessed.length === 0) return 'no agent is logged in';
  if (call.targetAgentId !== null) {
    const target = assessed.find((a) => a.agent.agentId === call.targetAgentId);
    return target ? `agent ${call.targetAgentId} is not available (${target.reasons.join('; ')})` : `agent ${call.targetAgentId} is not logged in`;
  }
  const matching = assessed.filter((a) => a.matches);
  if (matching.length === 0) {
    const wanted = [
      ...requirements.skills.map((s) => `skill ${s.skill} >= ${s.minLevel}`),
      ...(requirements.language !== null ? [`language ${requirements.language}`] : []),
      ...(requirements.department !== null ? [`department ${requirements.department}`] : []),
    ];
    return `no logged-in agent matches (${wanted.join(', ')})`;
  }
  const has = (prefix: string) => matching.some((a) => a.reasons.some((r) => r.startsWith(prefix)));
  if (has('busy') || has('already chosen')) return 'all matching agents are busy';
  if (has('declined or missed')) return 'matching agents declined or missed this call recently';
  if (has('device not registered')) return "matching agents' devices are not registered";
  return 'matching agents are on break';
};

const idleSeconds = (agent: RoutingAgent, now: string): number => (agent.idleSince === null ? Number.MAX_SAFE_INTEGER : secondsBetween(agent.idleSince, now));

const pick = (strategy: RoutingMethod, eligible: Assessed[], now: string, pointer: string | undefined): { chosen: Assessed[]; explain: (a: Assessed) => string; score: (a: Assessed) => number } => {
  switch (strategy) {
    case 'ring-all':
      return { chosen: eligible, explain: () => 'rings together with every matching idle agent', score: () => 0 };
    case 'round-robin': {
      const ordered = [...eligible].sort((a, b) => (a.agent.agentId < b.agent.agentId ? -1 : 1));
      const next = ordered.find((a) => pointer === undefined || a.agent.agentId > pointer) ?? ordered[0];
      const distance = (a: Assessed) => {
        const i = ordered.indexOf(a);
        const start = next ? ordered.indexOf(next) : 0;
        return (i - start + ordered.length) % ordered.length;
      };
      return {
        chosen: next ? [next] : [],
        explain: (a) => (a === next ? `next in round-robin order after ${pointer ?? 'the start'}` : `not next in round-robin order after ${pointer ?? 'the start'} (${next?.agent.agentId ?? ''} is)`),
        score: distance,
      };
    }
    case 'longest-idle':
    case 'cherry-pick':
    case 'targeted': {
      const ordered = [...eligible].sort((a, b) => idleSeconds(b.agent, now) - idleSeconds(a.agent, now) || (a.agent.agentId < b.agent.agentId ? -1 : 1));
      const winner = ordered[0];
      const shown = (a: Assessed) => (a.agent.idleSince === null ? 'never' : `${idleSeconds(a.agent, now)}s`);
      return {
        chosen: winner ? [winner] : [],
        explain: (a) =>
          a === winner
            ? strategy === 'targeted'
              ? 'the call was transferred to this agent'
              : `longest idle (${shown(a)})`
            : `idle for less time than ${winner?.agent.agentId ?? ''} (${shown(a)} vs ${winner ? shown(winner) : ''})`,
        score: (a) => idleSeconds(a.agent, now),
      };
    }
    default: {
      const _exhaustive: never = strategy;
      return { chosen: [], explain: () => '', score: () => 0 };
    }
  }
};

const decide = (call: WaitingCall, rank: number, snapshot: RoutingSnapshot, takenBy: Map<string, string>, pointers: Record<string, string>, strategyOverride?: RoutingMethod): RoutingDecision => {
  const queue = snapshot.queues[call.queueId];
  const waitedSeconds = secondsBetween(call.enqueuedAt, snapshot.now);
  const strategy: RoutingMethod = strategyOverride ?? (call.targetAgentId !== null ? 'targeted' : (queue?.strategy ?? 'longest-idle'));
  const decisionBase = { callId: call.callId, entryId: call.entryId, queueId: call.queueId, strategy, rank, priority: call.priority, waitedSeconds };
  if (!queue) return { ...decisionBase, decisionId: deterministicId('routing', call.entryId, snapshot.now), candidates: [], chosen: [], waitingReason: `queue ${call.queueId} is not configured` };
  const requirements = requirementsFor(queue, call.attributes);
  const assessed = snapshot.agents.filter((a) => a.status !== 'Offline' || a.agentId === call.targetAgentId).map((agent) => assess(call, agent, requirements, snapshot.now, takenBy));
  const eligible = assessed.filter((a) => a.eligible);
  const { chosen, explain, score } = pick(strategy, eligible, snapshot.now, pointers[call.queueId]);
  const candidates: RoutingCandidate[] = assessed.map((a) => ({
    agentId: a.agent.agentId,
    eligible: a.eligible,
    chosen: chosen.includes(a),
    reasons: a.eligible ? [explain(a)] : a.reasons,
    idleSince: a.agent.idleSince,
    score: a.eligible ? score(a) : null,
  }));
  const chosenIds = chosen.map((a) => a.agent.agentId);
  for (const agentId of chosenIds) takenBy.set(agentId, call.callId);
  if (strategy === 'round-robin' && chosenIds.length > 0) pointers[call.queueId] = chosenIds[0];
  return {
    ...decisionBase,
    decisionId: deterministicId('routing', call.entryId, snapshot.now, chosenIds.join(',')),
    candidates,
    chosen: chosenIds,
    ...(chosenIds.length === 0 ? { waitingReason: waitingReasonFor(call, assessed, requirements) } : {}),
  };
};

/**
 * One routing pass: every waiting call in routing order, each with the agents considered and why each was
 * or was not chosen. An agent chosen for one call is not offered another in the same pass. Pure: the same
 * snapshot gives the same decisions.
 */
export const route = (snapshot: RoutingSnapshot): RoutingDecision[] => {
  const takenBy = new Map<string, string>();
  const pointers = { ...snapshot.roundRobinPointers };
  return routingOrder(snapshot.waitingCalls).map((call, i) => decide(call, i + 1, snapshot, takenBy, pointers));
};

export type CherryPick = { ok: true; decision: RoutingDecision } | { ok: false; reasons: string[] };

/** An agent picks a waiting call from the queue view: allowed when the agent could take it now and meets its requirements. */
export const validateCherryPick = (snapshot: RoutingSnapshot, agentId: string, callId: string): CherryPick => {
  const call = snapshot.waitingCalls.find((c) => c.callId === callId);
  if (!call) return { ok: false, reasons: [`call ${callId} is not waiting in a queue`] };
  const agent = snapshot.agents.find((a) => a.agentId === agentId);
  if (!agent) return { ok: false, reasons: [`agent ${agentId} is not known`] };
  if (call.targetAgentId !== null && call.targetAgentId !== agentId) return { ok: false, reasons: [`the call was transferred to agent ${call.targetAgentId}`] };
  const rank = routingOrder(snapshot.waitingCalls).indexOf(call) + 1;
  const picked: WaitingCall = { ...call, excludedAgents: [] };
  const decision = decide(picked, rank, { ...snapshot, agents: [agent] }, new Map(), {}, 'cherry-pick');
  if (decision.chosen.length === 0) return { ok: false, reasons: decision.candidates[0]?.reasons ?? [decision.waitingReason ?? 'not available'] };
  return { ok: true, decision: { ...decision, candidates: decision.candidates.map((c) => ({ ...c, reasons: ['picked by the agent from the queue view'] })) } };
};
