import { evolveAgent, initialAgentState, type AgentActivity, type AgentEvent, type AgentState } from '../../api/agents/agent';

/** What a read model needs of an agent's state: status and activity, as the agent decider folds them. */
export interface AgentPresence {
  status: 'Offline' | 'Available' | 'Break';
  breakReason: string | null;
  activity: AgentActivity;
  registered: boolean;
}

export const OFFLINE_PRESENCE: AgentPresence = { status: 'Offline', breakReason: null, activity: { kind: 'Idle' }, registered: false };

/** Folds an agent event with the agent decider's own evolve. */
export const presenceAfter = (presence: AgentPresence, event: AgentEvent): AgentPresence => {
  const status = presence.status === 'Break' ? { status: 'Break' as const, reason: presence.breakReason ?? 'break' } : { status: presence.status };
  const state = {
    ...initialAgentState(),
    ...status,
    agentId: event.data.agentId,
    activity: presence.activity,
    device: presence.registered ? { credentialId: '', sipUsername: '', registered: true } : null,
  } as AgentState;
  const next = evolveAgent(state, event);
  return { status: next.status, breakReason: next.status === 'Break' ? next.reason : null, activity: next.activity, registered: next.device?.registered ?? false };
};

/** Where an agent's time goes: busy activities first, then the status. */
export type TimeState = 'offline' | 'idle' | 'ringing' | 'onCall' | 'wrapUp' | 'break';

export const timeStateOf = (p: AgentPresence): TimeState => {
  switch (p.activity.kind) {
    case 'OnCall':
      return 'onCall';
    case 'WrapUp':
      return 'wrapUp';
    case 'Reserved':
    case 'Ringing':
      return 'ringing';
    case 'Idle':
      return p.status === 'Offline' ? 'offline' : p.status === 'Break' ? 'break' : 'idle';
    default: {
      const _exhaustive: never = p.activity;
      return 'offline';
    }
  }
};
