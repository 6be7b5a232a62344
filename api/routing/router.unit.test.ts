import { defaultConfiguration } from '../config/defaultConfiguration';
import { route, validateCherryPick, type RoutingAgent, type RoutingSnapshot, type WaitingCall } from './router';

const config = defaultConfiguration();
const NOW = '2026-03-02T15:10:00.000Z';
const ago = (seconds: number): string => new Date(Date.parse(NOW) - seconds * 1000).toISOString();

const agent = (agentId: string, overrides: Partial<RoutingAgent> = {}): RoutingAgent => {
  const profile = config.agents[agentId];
  return {
    agentId,
    status: 'Available',
    breakReason: null,
    activity: 'Idle',
    skills: profile.skills,
    languages: profile.languages,
    departments: profile.departments,
    idleSince: ago(60),
    registered: true,
    sipUsername: `${agentId}-sip`,
    ...overrides,
  };
};

const waiting = (callId: string, overrides: Partial<WaitingCall> = {}): WaitingCall => ({
  callId,
  entryId: `entry-${callId}`,
  queueId: 'sales',
  kind: 'call',
  priority: 10,
  enqueuedAt: ago(30),
  attributes: {},
  targetAgentId: null,
  excludedAgents: [],
  ...overrides,
});

const snapshot = (waitingCalls: WaitingCall[], agents: RoutingAgent[], roundRobinPointers: Record<string, string> = {}): RoutingSnapshot => ({
  now: NOW,
  queues: config.queues,
  waitingCalls,
  agents,
  roundRobinPointers,
});

const reasonsOf = (decision: ReturnType<typeof route>[number], agentId: string): string[] | undefined => decision.candidates.find((c) => c.agentId === agentId)?.reasons;

describe('longest-idle', () => {
  it('offers the agent idle longest, and says why the others were not chosen', () => {
    const [decision] = route(snapshot([waiting('c1')], [agent('alice', { idleSince: ago(120) }), agent('carla', { idleSince: ago(300) }), agent('erin', { idleSince: ago(45) })]));
    expect(decision).toMatchObject({ callId: 'c1', queueId: 'sales', strategy: 'longest-idle', chosen: ['carla'], rank: 1, waitedSeconds: 30 });
    expect(decision.waitingReason).toBeUndefined();
    expect(decision.candidates).toEqual([
      { agentId: 'alice', eligible: true, chosen: false, reasons: ['idle for less time than carla (120s vs 300s)'], idleSince: ago(120), score: 120 },
      { agentId: 'carla', eligible: true, chosen: true, reasons: ['longest idle (300s)'], idleSince: ago(300), score: 300 },
      { agentId: 'erin', eligible: true, chosen: false, reasons: ['idle for less time than carla (45s vs 300s)'], idleSince: ago(45), score: 45 },
    ]);
  });

  it('breaks ties by agent id', () => {
    const [decision] = route(snapshot([waiting('c1')], [agent('erin', { idleSince: ago(100) }), agent('carla', { idleSince: ago(100) })]));
    expect(decision.chosen).toEqual(['carla']);
  });

  it('explains every agent that cannot take the call', () => {
    const agents = [
      agent('alice', { status: 'Break', breakReason: 'lunch' }),
      agent('bob'),
      agent('carla', { registered: false, sipUsername: null }),
      agent('dmitri'),
      agent('erin', { activity: 'OnCall' }),
      agent('sam', { status: 'Offline' }),
    ];
    const [decision] = route(snapshot([waiting('c1', { attributes: { language: 'es' } })], agents));
    expect(decision.chosen).toEqual([]);
    expect(reasonsOf(decision, 'alice')).toEqual(['on break (lunch)', 'does not speak es']);
    expect(reasonsOf(decision, 'bob')).toEqual(['missing skill sales', 'not in department sales']);
    expect(reasonsOf(decision, 'carla')).toEqual(['device not registered']);
    expect(reasonsOf(decision, 'dmitri')).toEqual(['missing skill sales', 'does not speak es', 'not in department sales']);
    expect(reasonsOf(decision, 'erin')).toEqual(['busy (OnCall)']);
    expect(reasonsOf(decision, 'sam')).toBeUndefined();
    expect(decision.waitingReason).toBe('all matching agents are busy');
  });

  it('checks skill levels against the queue and the IVR choice', () => {
    const call = waiting('c1', { queueId: 'support', attributes: { skills: [{ skill: 'technical', minLevel: 5 }] } });
    const [decision] = route(snapshot([call], [agent('alice'), agent('dmitri'), agent('erin')]));
    expect(reasonsOf(decision, 'alice')).toEqual(['skill technical level 3 below 5']);
    expect(reasonsOf(decision, 'erin')).toEqual(['skill technical level 4 below 5']);
    expect(decision.chosen).toEqual(['dmitri']);
  });
});

describe('call order', () => {
  it('routes by priority, then by the longest wait; an agent chosen for one call is not offered another', () => {
    const calls = [waiting('low', { queueId: 'support', priority: 0, enqueuedAt: ago(500) }), waiting('old', { enqueuedAt: ago(90) }), waiting('new', { enqueuedAt: ago(10) })];
    const decisions = route(snapshot(calls, [agent('alice', { idleSince: ago(400) }), agent('erin', { idleSince: ago(100) })]));
    expect(decisions.map((d) => [d.callId, d.rank, d.chosen])).toEqual([
      ['old', 1, ['alice']],
      ['new', 2, ['erin']],
      ['low', 3, []],
    ]);
    expect(reasonsOf(decisions[2], 'alice')).toEqual(['already chosen for call old']);
    expect(reasonsOf(decisions[2], 'erin')).toEqual(['already chosen for call new']);
    expect(decisions[2].waitingReason).toBe('all matching agents are busy');
  });
});

describe('round-robin', () => {
  const supportAgents = () => [agent('alice'), agent('bob'), agent('dmitri'), agent('erin')];

  it('takes the next agent after the last one served, wrapping around, and advances within a pass', () => {
    const calls = [waiting('c1', { queueId: 'support', priority: 0, enqueuedAt: ago(50) }), waiting('c2', { queueId: 'support', priority: 0, enqueuedAt: ago(40) })];
    const decisions = route(snapshot(calls, supportAgents(), { support: 'bob' }));
    expect(decisions.map((d) => d.chosen)).toEqual([['dmitri'], ['erin']]);
    expect(reasonsOf(decisions[0], 'dmitri')).toEqual(['next in round-robin order after bob']);
    expect(reasonsOf(decisions[0], 'alice')).toEqual(['not next in round-robin order after bob (dmitri is)']);
    expect(route(snapshot([calls[0]], supportAgents(), { support: 'erin' }))[0].chosen).toEqual(['alice']);
  });
});

describe('ring-all', () => {
  it('rings every matching idle agent at once', () => {
    const call = waiting('c1', { queueId: 'billing', priority: 5 });
    const [decision] = route(snapshot([call], [agent('alice'), agent('bob'), agent('carla'), agent('erin', { activity: 'WrapUp' })]));
    expect(decision.strategy).toBe('ring-all');
    expect(decision.chosen).toEqual(['bob', 'carla']);
    expect(reasonsOf(decision, 'alice')).toEqual(['missing skill billing', 'not in department billing']);
  });
});

describe('waiting reasons', () => {
  it('nobody logged in', () => {
    expect(route(snapshot([waiting('c1')], [agent('alice', { status: 'Offline' })]))[0].waitingReason).toBe('no agent is logged in');
  });

  it('nobody with the requirements', () => {
    const [decision] = route(snapshot([waiting('c1', { queueId: 'support', attributes: { language: 'es', skills: [{ skill: 'technical', minLevel: 9 }] } })], [agent('alice'), agent('dmitri')]));
    expect(decision.waitingReason).toBe('no logged-in agent matches (skill technical >= 9, language es, department support)');
  });

  it('matching agents declined the call recently; the exclusion ends at its time', () => {
    const call = waiting('c1', { excludedAgents: [{ agentId: 'alice', until: ago(-10) }] });
    const [decision] = route(snapshot([call], [agent('alice')]));
    expect(decision.waitingReason).toBe('matching agents declined or missed this call recently');
    const expired = waiting('c1', { excludedAgents: [{ agentId: 'alice', until: ago(1) }] });
    expect(route(snapshot([expired], [agent('alice')]))[0].chosen).toEqual(['alice']);
  });

  it('after the exclusion, an agent who declined the call comes after every agent who has not, however long idle', () => {
    const call = waiting('c1', { excludedAgents: [{ agentId: 'carla', until: ago(20) }] });
    const [decision] = route(snapshot([call], [agent('alice', { idleSince: ago(30) }), agent('carla', { idleSince: ago(900) })]));
    expect(decision.chosen).toEqual(['alice']);
    expect(reasonsOf(decision, 'carla')).toEqual(['declined or missed this call before: offered it only when no other agent can take it']);
    expect(reasonsOf(decision, 'alice')).toEqual(['longest idle (30s)']);
    // alone (or with every other agent busy), the agent is offered the call again
    expect(route(snapshot([call], [agent('alice', { activity: 'OnCall' }), agent('carla', { idleSince: ago(900) })]))[0].chosen).toEqual(['carla']);
  });

  it('matching agents on break', () => {
    expect(route(snapshot([waiting('c1')], [agent('alice', { status: 'Break', breakReason: 'missed offers' })]))[0].waitingReason).toBe('matching agents are on break');
  });
});

describe('transfers to an agent', () => {
  it('offers only the target agent, whatever the queue requires', () => {
    const call = waiting('c1', { queueId: 'billing', targetAgentId: 'dmitri' });
    const [decision] = route(snapshot([call], [agent('bob', { idleSince: ago(900) }), agent('dmitri')]));
    expect(decision).toMatchObject({ strategy: 'targeted', chosen: ['dmitri'] });
    expect(reasonsOf(decision, 'bob')).toEqual(['the call is for agent dmitri']);
    const busy = route(snapshot([call], [agent('dmitri', { activity: 'OnCall' })]))[0];
    expect(busy.waitingReason).toBe('agent dmitri is not available (busy (OnCall))');
  });
});

describe('cherry-pick', () => {
  it('lets an available, matching agent take a waiting call, even one they declined earlier', () => {
    const call = waiting('c2', { excludedAgents: [{ agentId: 'erin', until: ago(-30) }] });
    const result = validateCherryPick(snapshot([waiting('c1', { enqueuedAt: ago(300) }), call], [agent('erin')]), 'erin', 'c2');
    expect(result).toMatchObject({ ok: true, decision: { callId: 'c2', strategy: 'cherry-pick', chosen: ['erin'], rank: 2 } });
  });

  it('refuses with the reasons', () => {
    expect(validateCherryPick(snapshot([waiting('c1')], [agent('dmitri')]), 'dmitri', 'c1')).toEqual({ ok: false, reasons: ['missing skill sales', 'not in department sales'] });
    expect(validateCherryPick(snapshot([waiting('c1')], [agent('erin', { activity: 'Ringing' })]), 'erin', 'c1')).toEqual({ ok: false, reasons: ['busy (Ringing)'] });
    expect(validateCherryPick(snapshot([], [agent('erin')]), 'erin', 'c1')).toEqual({ ok: false, reasons: ['call c1 is not waiting in a queue'] });
  });
});

it('can skip listing the candidates of calls left waiting, keeping the reason and the chosen calls explained', () => {
  const calls = [waiting('c1', { enqueuedAt: ago(90) }), waiting('c2', { enqueuedAt: ago(60) }), waiting('c3', { enqueuedAt: ago(30) })];
  const decisions = route(snapshot(calls, [agent('alice'), agent('erin', { activity: 'OnCall' })]), { explainWaiting: (call) => call.callId === 'c3' });
  expect(decisions.map((d) => [d.callId, d.chosen, d.waitingReason, d.candidates.length])).toEqual([
    ['c1', ['alice'], undefined, 2],
    ['c2', [], 'all matching agents are busy', 0],
    ['c3', [], 'all matching agents are busy', 2],
  ]);
});

it('is deterministic: the same snapshot gives the same decisions', () => {
  const s = snapshot([waiting('c1'), waiting('c2', { queueId: 'billing', priority: 5 })], [agent('alice'), agent('bob'), agent('carla'), agent('erin')]);
  expect(route(s)).toEqual(route(s));
});
