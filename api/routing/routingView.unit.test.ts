import type { AgentEvent } from '../agents/agent';
import { agentDecider, type AgentCommand } from '../agents/agentDecider';
import { callScenario, domainTypes, eventOf } from '../calls/callScenario';
import { at, CALLER, DIALLED, onCustomer, queuedInSales, SESSION } from '../calls/callTestKit';
import { callAnswered, callInitiated, gatherEnded } from '../calls/webhookFixtures';
import { defaultConfiguration, defaultConfigurationEvents } from '../config/defaultConfiguration';
import { fold } from '../core/decider';
import { route } from './router';
import { agentBySipUsername, agentsServing, emptyRoutingView, evolveRoutingView, queuePosition, routingSnapshot, type RoutingView } from './routingView';

const config = defaultConfiguration();
const seeded = (): RoutingView => defaultConfigurationEvents(at(-3600)).flatMap((s) => s.events).reduce(evolveRoutingView, emptyRoutingView());

const agentReady = (agentId: string, loginSeconds: number): AgentEvent[] => [
  { type: 'AgentLoggedIn', data: { agentId, occurredAt: at(loginSeconds), status: 'Available', breakReason: null, actor: agentId } },
  { type: 'AgentDeviceRegistered', data: { agentId, occurredAt: at(loginSeconds), credentialId: `cred-${agentId}`, sipUsername: `${agentId}-sip`, actor: agentId } },
];

describe('the routing view', () => {
  it('folds configuration, agents and waiting calls into the router input', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    let view = seeded();
    for (const e of [...agentReady('carla', -600), ...agentReady('alice', -300)]) view = evolveRoutingView(view, e);
    for (const e of call.history) view = evolveRoutingView(view, e);

    const snapshot = routingSnapshot(view, at(20));
    expect(snapshot.waitingCalls).toEqual([expect.objectContaining({ callId: SESSION, queueId: 'sales', priority: 10, enqueuedAt: at(9), attributes: { language: 'en', department: 'sales' } })]);
    expect(snapshot.agents.filter((a) => a.status === 'Available').map((a) => [a.agentId, a.sipUsername, a.idleSince])).toEqual([
      ['alice', 'alice-sip', at(-300)],
      ['carla', 'carla-sip', at(-600)],
    ]);
    expect(queuePosition(view, SESSION)).toBe(1);
    expect(agentsServing(view, 'sales')).toBe(2);
    expect(agentBySipUsername(view, 'carla-sip')).toBe('carla');
  });

  it('drives one routing pass end to end: decide, record, reserve on the agent stream, offer on the call stream', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    const agentStreams: Record<string, AgentEvent[]> = { carla: agentReady('carla', -600), alice: agentReady('alice', -300) };
    let view = seeded();
    for (const e of [...agentStreams.carla, ...agentStreams.alice, ...call.history]) view = evolveRoutingView(view, e);

    const [decision] = route(routingSnapshot(view, at(20)));
    expect(decision.chosen).toEqual(['carla']);
    const recorded = call.command({ type: 'RecordRoutingDecision', data: { decision }, metadata: call.meta(at(20), decision.decisionId) });
    expect(domainTypes(recorded)).toEqual(['RoutingDecisionMade']);

    const reserve: AgentCommand = {
      type: 'ReserveAgent',
      data: { agentId: 'carla', offerId: 'offer-1', callId: SESSION, queueId: 'sales', purpose: 'queue', expiresAt: at(60) },
      metadata: { now: at(20), commandId: 'reserve-1', actor: 'reactor' },
    };
    const reserved = agentDecider.decide(reserve, fold(agentDecider, agentStreams.carla));
    agentStreams.carla.push(...reserved);
    const offered = call.command({
      type: 'OfferCall',
      data: { offerId: 'offer-1', purpose: 'queue', strategy: decision.strategy, agents: [{ agentId: 'carla', sipUsername: 'carla-sip' }], decisionId: decision.decisionId },
      metadata: call.meta(at(20), 'offer-1'),
    });
    expect(eventOf(offered, 'CallOffered').data.decisionId).toBe(decision.decisionId);

    for (const e of [...reserved, ...recorded, ...offered]) view = evolveRoutingView(view, e);
    const next = routingSnapshot(view, at(21));
    expect(next.waitingCalls).toEqual([]);
    expect(next.agents.find((a) => a.agentId === 'carla')?.activity).toBe('Reserved');
  });

  it('keeps the round-robin pointer from recorded decisions and forgets calls that ended', () => {
    let view = seeded();
    const call = callScenario(config, SESSION);
    call.webhook(callInitiated({ ...onCustomer(0), clientState: null, from: CALLER, to: DIALLED, direction: 'incoming' }));
    call.webhook(callAnswered(onCustomer(1)));
    call.webhook(gatherEnded({ ...onCustomer(5), digits: '1', status: 'valid' }));
    call.webhook(gatherEnded({ ...onCustomer(9), digits: '2', status: 'valid' }));
    call.webhook(gatherEnded({ ...onCustomer(13), digits: '2', status: 'valid' }));
    for (const e of call.history) view = evolveRoutingView(view, e);
    const entry = view.waiting[SESSION];
    expect(entry).toMatchObject({ queueId: 'support', attributes: { skills: [{ skill: 'technical', minLevel: 3 }] } });
    view = evolveRoutingView(view, {
      type: 'RoutingDecisionMade',
      data: { callId: SESSION, occurredAt: at(20), causeId: 'r', decisionId: 'd', entryId: entry.entryId, queueId: 'support', strategy: 'round-robin', rank: 1, priority: 0, waitedSeconds: 7, candidates: [], chosen: ['dmitri'] },
    });
    expect(view.roundRobinPointers).toEqual({ support: 'dmitri' });
    view = evolveRoutingView(view, { type: 'CallEnded', data: { callId: SESSION, occurredAt: at(30), causeId: 'h', outcome: 'abandoned', hangupCause: null, hangupSource: null, startedAt: at(0), durationSeconds: 30, queueId: 'support', agentId: null } });
    expect(view.waiting).toEqual({});
  });
});
