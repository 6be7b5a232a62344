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
  /**
   * Agents who declined or missed this call while it waited in this queue: not offered it again before
   * `until`, and after that offered it only when no agent who has not declined it can take it.
   */
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

interface PreparedAgent {
  agent: RoutingAgent;
  availability: string[];
  routable: boolean;
}

interface RequirementMatch {
  key: string;
  requirements: Requirements;
  /** Requirement gaps of each prepared agent, by index. */
  gaps: string[][];
}

interface Pass {
  snapshot: RoutingSnapshot;
  prepared: PreparedAgent[];
  loggedIn: number[];
  routable: number[];
  takenBy: Map<string, string>;
  pointers: Record<string, string>;
  requirementCache: Map<string, RequirementMatch>;
  /** Waiting reasons of calls without exclusions or target, by requirement key; valid until an agent is chosen. */
  waitingReasonCache: Map<string, string>;
  explainWaiting: (call: WaitingCall, waitingReason: string) => boolean;
}

const idleSeconds = (agent: RoutingAgent, now: string): number => (agent.idleSince === null ? Number.MAX_SAFE_INTEGER : secondsBetween(agent.idleSince, now));

const preparePass = (snapshot: RoutingSnapshot, options: RouteOptions): Pass => {
  const prepared = snapshot.agents.map((agent) => {
    const availability = availabilityGaps(agent);
    return { agent, availability, routable: availability.length === 0 };
  });
  return {
    snapshot,
    prepared,
    loggedIn: prepared.flatMap((p, i) => (p.agent.status !== 'Offline' ? [i] : [])),
    routable: prepared.flatMap((p, i) => (p.routable ? [i] : [])),
    takenBy: new Map(),
    pointers: { ...snapshot.roundRobinPointers },
    requirementCache: new Map(),
    waitingReasonCache: new Map(),
    explainWaiting: options.explainWaiting ?? (() => true),
  };
};

const requirementMatch = (pass: Pass, queue: QueueConfig, attributes: CallAttributes): RequirementMatch => {
  const key = `${queue.queueId}|${JSON.stringify(attributes)}`;
  const cached = pass.requirementCache.get(key);
  if (cached) return cached;
  const requirements = requirementsFor(queue, attributes);
  const match = { key, requirements, gaps: pass.prepared.map((p) => requirementGaps(p.agent, requirements)) };
  pass.requirementCache.set(key, match);
  return match;
};

/** What the router knows about one agent for one call, without building any text. */
interface Fit {
  index: number;
  targetMismatch: boolean;
  takenFor: string | undefined;
  excludedUntil: string | undefined;
  gaps: string[];
  eligible: boolean;
}

const fitOf = (pass: Pass, call: WaitingCall, match: RequirementMatch, index: number): Fit => {
  const { agent, routable } = pass.prepared[index];
  const targetMismatch = call.targetAgentId !== null && agent.agentId !== call.targetAgentId;
  const takenFor = pass.takenBy.get(agent.agentId);
  const excludedUntil = call.excludedAgents.find((e) => e.agentId === agent.agentId && e.until > pass.snapshot.now)?.until;
  const gaps = call.targetAgentId !== null ? [] : match.gaps[index];
  return { index, targetMismatch, takenFor, excludedUntil, gaps, eligible: !targetMismatch && routable && takenFor === undefined && excludedUntil === undefined && gaps.length === 0 };
};

const reasonsOf = (pass: Pass, call: WaitingCall, fit: Fit): string[] => {
  if (fit.targetMismatch) return [`the call is for agent ${call.targetAgentId ?? ''}`];
  return [
    ...pass.prepared[fit.index].availability,
    ...(fit.takenFor !== undefined ? [`already chosen for call ${fit.takenFor}`] : []),
    ...(fit.excludedUntil !== undefined ? [`declined or missed this call; not offered it again before ${fit.excludedUntil}`] : []),
    ...fit.gaps,
  ];
};

const waitingReasonFor = (pass: Pass, call: WaitingCall, fits: Fit[], requirements: Requirements): string => {
  if (fits.length === 0) return call.targetAgentId !== null ? `agent ${call.targetAgentId} is not logged in` : 'no agent is logged in';
  if (call.targetAgentId !== null) {
    const target = fits.find((f) => !f.targetMismatch);
    return target ? `agent ${call.targetAgentId} is not available (${reasonsOf(pass, call, target).join('; ')})` : `agent ${call.targetAgentId} is not logged in`;
  }
  const matching = fits.filter((f) => f.gaps.length === 0);
  if (matching.length === 0) {
    const wanted = [
      ...requirements.skills.map((s) => `skill ${s.skill} >= ${s.minLevel}`),
      ...(requirements.language !== null ? [`language ${requirements.language}`] : []),
      ...(requirements.department !== null ? [`department ${requirements.department}`] : []),
    ];
    return `no logged-in agent matches (${wanted.join(', ')})`;
  }
  const agentOf = (f: Fit) => pass.prepared[f.index].agent;
  if (matching.some((f) => agentOf(f).activity !== 'Idle' || f.takenFor !== undefined)) return 'all matching agents are busy';
  if (matching.some((f) => f.excludedUntil !== undefined)) return 'matching agents declined or missed this call recently';
  if (matching.some((f) => !agentOf(f).registered || agentOf(f).sipUsername === null)) return "matching agents' devices are not registered";
  return 'matching agents are on break';
};

const NOBODY: ReadonlySet<string> = new Set();

const pick = (
  strategy: RoutingMethod,
  eligible: RoutingAgent[],
  now: string,
  pointer: string | undefined,
  declined: ReadonlySet<string>,
): { chosen: RoutingAgent[]; explain: (a: RoutingAgent) => string; score: (a: RoutingAgent) => number } => {
  // Agents who declined or missed this call come after every agent who has not (an agent who rejects everything
  // would otherwise be the longest idle, and first, every time).
  if (declined.size > 0 && strategy !== 'ring-all' && strategy !== 'targeted') {
    const fresh = eligible.filter((a) => !declined.has(a.agentId));
    if (fresh.length > 0 && fresh.length < eligible.length) {
      const inner = pick(strategy, fresh, now, pointer, NOBODY);
      return {
        chosen: inner.chosen,
        explain: (a) => (declined.has(a.agentId) ? 'declined or missed this call before: offered it only when no other agent can take it' : inner.explain(a)),
        score: (a) => (declined.has(a.agentId) ? -1 : inner.score(a)),
      };
    }
  }
  switch (strategy) {
    case 'ring-all':
      return { chosen: eligible, explain: () => 'rings together with every matching idle agent', score: () => 0 };
    case 'round-robin': {
      const ordered = [...eligible].sort((a, b) => (a.agentId < b.agentId ? -1 : 1));
      const next = ordered.find((a) => pointer === undefined || a.agentId > pointer) ?? ordered[0];
      const start = next ? ordered.indexOf(next) : 0;
      return {
        chosen: next ? [next] : [],
        explain: (a) => (a === next ? `next in round-robin order after ${pointer ?? 'the start'}` : `not next in round-robin order after ${pointer ?? 'the start'} (${next?.agentId ?? ''} is)`),
        score: (a) => (ordered.indexOf(a) - start + ordered.length) % ordered.length,
      };
    }
    case 'longest-idle':
    case 'cherry-pick':
    case 'targeted': {
      const ordered = [...eligible].sort((a, b) => idleSeconds(b, now) - idleSeconds(a, now) || (a.agentId < b.agentId ? -1 : 1));
      const winner = ordered[0];
      const shown = (a: RoutingAgent) => (a.idleSince === null ? 'never' : `${idleSeconds(a, now)}s`);
      return {
        chosen: winner ? [winner] : [],
        explain: (a) =>
          a === winner
            ? strategy === 'targeted'
              ? 'the call was transferred to this agent'
              : `longest idle (${shown(a)})`
            : `idle for less time than ${winner?.agentId ?? ''} (${shown(a)} vs ${winner ? shown(winner) : ''})`,
        score: (a) => idleSeconds(a, now),
      };
    }
    default: {
      const _exhaustive: never = strategy;
      return { chosen: [], explain: () => '', score: () => 0 };
    }
  }
};

const decide = (pass: Pass, call: WaitingCall, rank: number, strategyOverride?: RoutingMethod): RoutingDecision => {
  const { snapshot } = pass;
  const queue = snapshot.queues[call.queueId];
  const waitedSeconds = secondsBetween(call.enqueuedAt, snapshot.now);
  const strategy: RoutingMethod = strategyOverride ?? (call.targetAgentId !== null ? 'targeted' : (queue?.strategy ?? 'longest-idle'));
  const decisionBase = { callId: call.callId, entryId: call.entryId, queueId: call.queueId, strategy, rank, priority: call.priority, waitedSeconds };
  if (!queue) return { ...decisionBase, decisionId: deterministicId('routing', call.entryId, snapshot.now), candidates: [], chosen: [], waitingReason: `queue ${call.queueId} is not configured` };
  const match = requirementMatch(pass, queue, call.attributes);
  const eligible = pass.routable.map((i) => fitOf(pass, call, match, i)).filter((f) => f.eligible);
  const eligibleAgents = eligible.map((f) => pass.prepared[f.index].agent);
  const declined = call.excludedAgents.length > 0 ? new Set(call.excludedAgents.map((e) => e.agentId)) : NOBODY;
  const { chosen, explain, score } = pick(strategy, eligibleAgents, snapshot.now, pass.pointers[call.queueId], declined);
  const chosenIds = chosen.map((a) => a.agentId);
  const consideredIndexes = call.targetAgentId !== null ? pass.prepared.flatMap((p, i) => (p.agent.status !== 'Offline' || p.agent.agentId === call.targetAgentId ? [i] : [])) : pass.loggedIn;
  let waitingReason: string | undefined;
  let fits: Fit[] | undefined;
  if (chosenIds.length === 0) {
    const cacheable = call.targetAgentId === null && call.excludedAgents.length === 0;
    waitingReason = cacheable ? pass.waitingReasonCache.get(match.key) : undefined;
    if (waitingReason === undefined) {
      fits = consideredIndexes.map((i) => fitOf(pass, call, match, i));
      waitingReason = waitingReasonFor(pass, call, fits, match.requirements);
      if (cacheable) pass.waitingReasonCache.set(match.key, waitingReason);
    }
  }
  const explained = waitingReason === undefined || pass.explainWaiting(call, waitingReason);
  const candidates: RoutingCandidate[] = explained
    ? (fits ?? consideredIndexes.map((i) => fitOf(pass, call, match, i))).map((fit) => {
        const agent = pass.prepared[fit.index].agent;
        return {
          agentId: agent.agentId,
          eligible: fit.eligible,
          chosen: chosen.includes(agent),
          reasons: fit.eligible ? [explain(agent)] : reasonsOf(pass, call, fit),
          idleSince: agent.idleSince,
          score: fit.eligible ? score(agent) : null,
        };
      })
    : [];
  for (const agentId of chosenIds) pass.takenBy.set(agentId, call.callId);
  if (chosenIds.length > 0) pass.waitingReasonCache.clear();
  if (strategy === 'round-robin' && chosenIds.length > 0) pass.pointers[call.queueId] = chosenIds[0];
  return {
    ...decisionBase,
    decisionId: deterministicId('routing', call.entryId, snapshot.now, chosenIds.join(',')),
    candidates,
    chosen: chosenIds,
    ...(waitingReason !== undefined ? { waitingReason } : {}),
  };
};

export interface RouteOptions {
  /**
   * Whether to list the candidates of a call nobody was chosen for (they are always listed when agents are
   * chosen). A reactor records a waiting decision only when its reason changed, and can skip building the
   * rest: `(call, reason) => reason !== lastRecordedReason(call)`. Default: always.
   */
  explainWaiting?: (call: WaitingCall, waitingReason: string) => boolean;
}

/**
 * One routing pass: every waiting call in routing order, each with the agents considered and why each was
 * or was not chosen. An agent chosen for one call is not offered another in the same pass. Pure: the same
 * snapshot gives the same decisions.
 */
export const route = (snapshot: RoutingSnapshot, options: RouteOptions = {}): RoutingDecision[] => {
  const pass = preparePass(snapshot, options);
  return routingOrder(snapshot.waitingCalls).map((call, i) => decide(pass, call, i + 1));
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
  const decision = decide(preparePass({ ...snapshot, agents: [agent] }, {}), picked, rank, 'cherry-pick');
  if (decision.chosen.length === 0) return { ok: false, reasons: decision.candidates[0]?.reasons ?? [decision.waitingReason ?? 'not available'] };
  return { ok: true, decision: { ...decision, candidates: decision.candidates.map((c) => ({ ...c, reasons: ['picked by the agent from the queue view'] })) } };
};
