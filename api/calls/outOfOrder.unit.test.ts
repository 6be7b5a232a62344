import { defaultConfiguration } from '../config/defaultConfiguration';
import { callScenario, domainTypes, eventOf, requestedActions } from './callScenario';
import { at, CALLER, CUSTOMER, DIALLED, onCustomer, SESSION } from './callTestKit';
import { callHangup, callInitiated } from './webhookFixtures';

const config = defaultConfiguration();

/** Webhooks are not ordered (telnyx.md §3): the intake may store a leg's hangup before its call.initiated. */
describe('a hangup stored before call.initiated', () => {
  it('ends an inbound call whose caller hung up before callstream saw it start, instead of answering a dead leg', () => {
    const call = callScenario(config, SESSION);
    expect(call.webhook(callHangup({ ...onCustomer(30), clientState: null, cause: 'originator_cancel', source: 'caller' }))).toEqual([]);
    const events = call.webhook(callInitiated({ ...onCustomer(0), clientState: null, from: CALLER, to: DIALLED, direction: 'incoming' }));
    expect(domainTypes(events)).toEqual(['InboundCallStarted', 'CallEnded']);
    expect(requestedActions(events)).toEqual([]);
    expect(eventOf(events, 'CallEnded').data).toMatchObject({ outcome: 'abandoned-in-ivr', hangupCause: 'originator_cancel', hangupSource: 'caller' });
    expect(call.state().status).toBe('Ended');
  });

  it('ends an agent outbound call whose agent leg hung up first, without dialling the destination', () => {
    const call = callScenario(config, SESSION);
    const agentLeg = { id: 'w-out-hangup', at: at(5), session: SESSION, callControlId: CUSTOMER, clientState: null };
    call.webhook(callHangup({ ...agentLeg, cause: 'normal_clearing', source: 'caller' }));
    const events = call.webhook(
      callInitiated({ id: 'w-out-init', at: at(0), session: SESSION, callControlId: CUSTOMER, clientState: null, from: 'sip:alice-sip@sip.telnyx.com', to: '+15557778888', direction: 'outgoing' }),
      'alice',
    );
    expect(domainTypes(events)).toEqual(['OutboundCallStarted', 'AgentDisconnected', 'CallEnded']);
    expect(requestedActions(events)).toEqual([]);
    expect(eventOf(events, 'CallEnded').data.outcome).toBe('outbound-failed');
  });

  it('ends a refused outbound call whose agent leg already hung up, without a hangup to send', () => {
    const call = callScenario(config, SESSION);
    call.webhook(callHangup({ id: 'w-ref-hangup', at: at(5), session: SESSION, callControlId: CUSTOMER, clientState: null, cause: 'normal_clearing', source: 'caller' }));
    const events = call.webhook(
      callInitiated({ id: 'w-ref-init', at: at(0), session: SESSION, callControlId: CUSTOMER, clientState: null, from: 'sip:dmitri-sip@sip.telnyx.com', to: '+15557778888', direction: 'outgoing' }),
      'dmitri',
    );
    expect(domainTypes(events)).toEqual(['OutboundCallRefused', 'CallEnded']);
    expect(requestedActions(events)).toEqual([]);
    expect(eventOf(events, 'CallEnded').data.outcome).toBe('outbound-refused');
  });
});
