import { callScenario } from '../calls/callScenario';
import { at, customerHangsUp, offer, onAgent, queuedInSales, SESSION } from '../calls/callTestKit';
import { callAnswered } from '../calls/webhookFixtures';
import { timersFor } from '../calls/timers';
import type { CallEvent } from '../calls/callEvents';
import { defaultConfiguration } from '../config/defaultConfiguration';
import { agentFollowUps } from './followUps';

const config = defaultConfiguration();
const followUps = (events: CallEvent[]) => events.flatMap((e, i) => agentFollowUps(e, `event-${i}`, config)).map((f) => [f.streamId, f.command.type, f.command.data]);

describe('agent follow-ups of call events', () => {
  it('an answered offer starts the call on the agent stream; the hangup ends it with the configured wrap-up', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    expect(followUps(offer(call, 'offer-1', ['carla', 'erin'], 20, 'ring-all'))).toEqual([
      ['agent-carla', 'MarkRinging', { agentId: 'carla', offerId: 'offer-1' }],
      ['agent-erin', 'MarkRinging', { agentId: 'erin', offerId: 'offer-1' }],
    ]);
    const answered = call.webhook(callAnswered(onAgent('carla', 'offer-1', 25))).flatMap((e, i) => agentFollowUps(e, `answered-${i}`, config));
    expect(answered.map((f) => [f.streamId, f.command.type, f.command.type === 'ReleaseReservation' ? f.command.data.reason : null])).toEqual([
      ['agent-carla', 'StartCall', null],
      ['agent-erin', 'ReleaseReservation', 'answered-elsewhere'],
    ]);
    expect(followUps(customerHangsUp(call, 100))).toEqual([['agent-carla', 'EndCall', { agentId: 'carla', callId: SESSION, reason: 'customer-hung-up', wrapUpSeconds: 20 }]]);
  });

  it('a missed offer carries the agent\u2019s max-no-answer; a failed offer releases every reservation', () => {
    const missed: CallEvent = { type: 'OfferMissed', data: { callId: SESSION, occurredAt: at(40), causeId: 'x', offerId: 'o', agentId: 'erin', reason: 'no-answer' } };
    expect(followUps([missed])).toEqual([['agent-erin', 'RecordOfferMissed', { agentId: 'erin', offerId: 'o', callId: SESSION, reason: 'no-answer', maxNoAnswer: 2 }]]);
    const failed: CallEvent = { type: 'CallOfferFailed', data: { callId: SESSION, occurredAt: at(40), causeId: 'x', offerId: 'o', agentIds: ['alice', 'bob'], reason: 'gone' } };
    expect(followUps([failed]).map(([stream, type]) => [stream, type])).toEqual([
      ['agent-alice', 'ReleaseReservation'],
      ['agent-bob', 'ReleaseReservation'],
    ]);
  });

  it('derives command ids from the recorded event, so redelivery repeats the same ids', () => {
    const missed: CallEvent = { type: 'OfferMissed', data: { callId: SESSION, occurredAt: at(40), causeId: 'x', offerId: 'o', agentId: 'erin', reason: 'no-answer' } };
    expect(agentFollowUps(missed, 'e-1', config)[0].command.metadata.commandId).toBe(agentFollowUps(missed, 'e-1', config)[0].command.metadata.commandId);
    expect(agentFollowUps(missed, 'e-1', config)[0].command.metadata.commandId).not.toBe(agentFollowUps(missed, 'e-2', config)[0].command.metadata.commandId);
  });
});

describe('timers', () => {
  it('an offer expires at its deadline; a queued call checks each of its queue deadlines', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    const queued = call.history.find((e) => e.type === 'CallQueued');
    if (!queued) throw new Error('expected CallQueued');
    expect(timersFor(queued).map((t) => [t.at, t.command.type])).toEqual([
      [at(39), 'CheckQueueTimers'],
      [at(609), 'CheckQueueTimers'],
    ]);
    const offered = offer(call, 'offer-1', ['alice'], 20).find((e) => e.type === 'CallOffered');
    if (!offered) throw new Error('expected CallOffered');
    expect(timersFor(offered)).toEqual([{ at: at(45), streamId: `call-${SESSION}`, kind: 'call', command: { type: 'ExpireOffer', data: { offerId: 'offer-1' } } }]);
  });
});
