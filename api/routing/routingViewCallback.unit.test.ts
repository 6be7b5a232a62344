import { callScenario, domainTypes } from '../calls/callScenario';
import { at, offer, onCustomer, queuedInSales, SESSION } from '../calls/callTestKit';
import { dtmfReceived } from '../calls/webhookFixtures';
import { defaultConfiguration, defaultConfigurationEvents } from '../config/defaultConfiguration';
import { emptyRoutingView, evolveRoutingView, routingSnapshot, type RoutingView } from './routingView';

const config = defaultConfiguration();

describe('the routing view of a caller who asks for a callback while an offer rings', () => {
  it('routes the entry again, as a callback, once the ringing offer is cancelled', () => {
    const call = callScenario(config, SESSION);
    queuedInSales(call);
    offer(call, 'offer-1', ['alice'], 20);
    const asked = call.webhook(dtmfReceived({ ...onCustomer(22), digit: '*' }));
    expect(domainTypes(asked)).toEqual(['OfferCancelled', 'CallbackRequested']);
    expect(call.state().status).toBe('CallbackWaiting');

    let view: RoutingView = defaultConfigurationEvents(at(-3600)).flatMap((s) => s.events).reduce(evolveRoutingView, emptyRoutingView());
    for (const e of call.history) view = evolveRoutingView(view, e);
    expect(routingSnapshot(view, at(30)).waitingCalls).toEqual([expect.objectContaining({ callId: SESSION, kind: 'callback' })]);
  });
});
