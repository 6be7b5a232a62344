import type { RoutingStrategy } from '../config/config';

/** How an agent was matched: a queue's configured strategy, an agent's manual pick, or a transfer aimed at one agent. */
export type RoutingMethod = RoutingStrategy | 'cherry-pick' | 'targeted';

export interface RoutingCandidate {
  agentId: string;
  /** Could take this call now (before the strategy picked among the eligible). */
  eligible: boolean;
  chosen: boolean;
  /** Why not eligible, or why not chosen among the eligible, or why chosen. Human-readable, stable wording. */
  reasons: string[];
  idleSince: string | null;
  /** Strategy score: seconds idle for longest-idle, order distance for round-robin, 0 for ring-all; null when not eligible. */
  score: number | null;
}

export interface RoutingDecision {
  decisionId: string;
  callId: string;
  entryId: string;
  queueId: string;
  strategy: RoutingMethod;
  /** 1-based rank of the call among the calls routed in the same pass (priority, then wait). */
  rank: number;
  priority: number;
  waitedSeconds: number;
  candidates: RoutingCandidate[];
  chosen: string[];
  /** Set when nobody was chosen: why the call keeps waiting. */
  waitingReason?: string;
}
