import type { RoutingDecision, RoutingMethod } from '../routing/routingDecision';
import type { CallScenario } from './callScenario';
import type { CallEvent } from './callEvents';
import { callAnswered, callHangup, callInitiated, gatherEnded, speakEnded, callEnqueued } from './webhookFixtures';
import type { ClientState } from './webhook';

/** Shared vocabulary of the call-flow unit tests: a Monday afternoon, one caller, the demo configuration. */
export const T0 = Date.parse('2026-03-02T15:00:00.000Z');
export const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

export const SESSION = 'session-1';
export const CUSTOMER = 'v3:customer-1';
export const CALLER = '+15550200102';
export const DIALLED = '+15550100000';
export const customerState: ClientState = { callId: SESSION, role: 'customer' };
export const agentLegId = (agentId: string, offerId: string): string => `v3:${agentId}-${offerId}`;
export const agentState = (agentId: string, offerId: string): ClientState => ({ callId: SESSION, role: 'agent', agentId, offerId });

let webhookSeq = 0;
export const nextWebhookId = (): string => `wh-${++webhookSeq}`;

export const onCustomer = (seconds: number, id = nextWebhookId()) => ({ id, at: at(seconds), session: SESSION, callControlId: CUSTOMER, clientState: customerState });
export const onAgent = (agentId: string, offerId: string, seconds: number, id = nextWebhookId()) => ({
  id,
  at: at(seconds),
  session: SESSION,
  callControlId: agentLegId(agentId, offerId),
  clientState: agentState(agentId, offerId),
});

/** Inbound call answered and taken through the language menu (1 = English) and the main menu (1 = sales), waiting with music. */
export const queuedInSales = (call: CallScenario, startSeconds = 0): void => {
  call.webhook(callInitiated({ ...onCustomer(startSeconds), clientState: null, from: CALLER, to: DIALLED, direction: 'incoming' }));
  call.webhook(callAnswered(onCustomer(startSeconds + 1)));
  call.webhook(gatherEnded({ ...onCustomer(startSeconds + 5), digits: '1', status: 'valid' }));
  call.webhook(gatherEnded({ ...onCustomer(startSeconds + 9), digits: '1', status: 'valid' }));
  call.webhook(callEnqueued({ ...onCustomer(startSeconds + 10), queue: 'sales' }));
  call.webhook(speakEnded(onCustomer(startSeconds + 14)));
};

export const entryIdOf = (call: CallScenario): string => {
  const state = call.state();
  if (state.status === 'New' || !state.entry) throw new Error('the call has no queue entry');
  return state.entry.entryId;
};

export const decision = (call: CallScenario, chosen: string[], strategy: RoutingMethod = 'longest-idle', waitingReason?: string): RoutingDecision => ({
  decisionId: `decision-${chosen.join('-') || 'none'}`,
  callId: call.callId,
  entryId: entryIdOf(call),
  queueId: 'sales',
  strategy,
  rank: 1,
  priority: 10,
  waitedSeconds: 10,
  candidates: chosen.map((agentId) => ({ agentId, eligible: true, chosen: true, reasons: ['longest idle'], idleSince: at(-600), score: 600 })),
  chosen,
  ...(waitingReason ? { waitingReason } : {}),
});

export const offer = (call: CallScenario, offerId: string, agentIds: string[], seconds: number, strategy: RoutingMethod = 'longest-idle'): CallEvent[] =>
  call.command({
    type: 'OfferCall',
    data: { offerId, purpose: 'queue', strategy, agents: agentIds.map((agentId) => ({ agentId, sipUsername: `${agentId}-sip` })), decisionId: `decision-${offerId}` },
    metadata: call.meta(at(seconds), `offer-${offerId}`),
  });

/** Offers the queued call to `agentId`, who answers: the caller and the agent are connected. */
export const connectedTo = (call: CallScenario, agentId: string, offerId: string, seconds: number): void => {
  offer(call, offerId, [agentId], seconds);
  call.webhook(callInitiated({ ...onAgent(agentId, offerId, seconds + 1), from: CALLER, to: `sip:${agentId}-sip@sip.telnyx.com`, direction: 'outgoing' }));
  call.webhook(callAnswered(onAgent(agentId, offerId, seconds + 4)));
};

export const customerHangsUp = (call: CallScenario, seconds: number): CallEvent[] => call.webhook(callHangup({ ...onCustomer(seconds), cause: 'normal_clearing', source: 'caller' }));

/** The caller queued in sales asks for a callback (40 s) and hangs up (45 s); the callback is offered to alice (60 s, offer `cb-offer`). */
export const callbackOfferedToAlice = (call: CallScenario): void => {
  queuedInSales(call);
  call.command({ type: 'RequestCallback', data: {}, metadata: call.meta(at(40), 'cb-api') });
  customerHangsUp(call, 45);
  call.command({ type: 'OfferCall', data: { offerId: 'cb-offer', purpose: 'callback', strategy: 'longest-idle', agents: [{ agentId: 'alice', sipUsername: 'alice-sip' }] }, metadata: call.meta(at(60), 'o') });
};
