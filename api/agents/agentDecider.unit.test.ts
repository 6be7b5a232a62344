import { IllegalStateError, ValidationError } from '../core/errors';
import type { CommandMetadata } from '../core/decider';
import { DeciderSpecification } from '../../test/support/deciderSpecification';
import type { AgentEvent } from './agent';
import { agentDecider, reservationRefusal, type AgentCommand } from './agentDecider';
import { fold } from '../core/decider';

const given = DeciderSpecification.for(agentDecider);
const at = (seconds: number): string => new Date(Date.parse('2026-03-02T15:00:00.000Z') + seconds * 1000).toISOString();
const meta = (seconds: number, actor = 'alice'): CommandMetadata => ({ now: at(seconds), commandId: `c-${seconds}`, actor });
const agentId = 'alice';
const id = { agentId };

const loggedIn: AgentEvent = { type: 'AgentLoggedIn', data: { ...id, occurredAt: at(0), status: 'Available', breakReason: null, actor: 'alice' } };
const registered: AgentEvent = { type: 'AgentDeviceRegistered', data: { ...id, occurredAt: at(1), credentialId: 'cred-1', sipUsername: 'alice-sip', actor: 'alice' } };
const reserved = (offerId: string, seconds: number): AgentEvent => ({
  type: 'AgentReserved',
  data: { ...id, occurredAt: at(seconds), offerId, callId: 'call-1', queueId: 'sales', purpose: 'queue', expiresAt: at(seconds + 35) },
});
const callStarted = (seconds: number): AgentEvent => ({ type: 'AgentCallStarted', data: { ...id, occurredAt: at(seconds), callId: 'call-1', offerId: 'offer-1', direction: 'inbound' } });
const ready = [loggedIn, registered];
const reserve = (offerId: string, seconds: number): AgentCommand => ({
  type: 'ReserveAgent',
  data: { agentId, offerId, callId: 'call-1', queueId: 'sales', purpose: 'queue', expiresAt: at(seconds + 35) },
  metadata: meta(seconds, 'reactor'),
});
const missed = (offerId: string, seconds: number, maxNoAnswer = 3): AgentCommand => ({
  type: 'RecordOfferMissed',
  data: { agentId, offerId, callId: 'call-1', reason: 'no-answer', maxNoAnswer },
  metadata: meta(seconds, 'reactor'),
});

describe('agent status', () => {
  it('logs in as Available, idle since the login', () => {
    const events = given([]).when({ type: 'LogIn', data: { agentId }, metadata: meta(0) }).then([loggedIn]);
    expect(fold(agentDecider, events)).toMatchObject({ status: 'Available', idleSince: at(0), activity: { kind: 'Idle' } });
  });

  it('a supervisor puts an agent on break; the actor is recorded', () => {
    given(ready)
      .when({ type: 'ChangeStatus', data: { agentId, status: 'Break', reason: 'coaching' }, metadata: meta(10, 'sam') })
      .then([{ type: 'AgentStatusChanged', data: { ...id, occurredAt: at(10), from: 'Available', to: 'Break', reason: 'coaching', actor: 'sam' } }]);
  });

  it('changing to the current status is a no-op; a logged-out agent must log in first', () => {
    given(ready).when({ type: 'ChangeStatus', data: { agentId, status: 'Available' }, metadata: meta(10) }).thenNothingHappens();
    given([]).when({ type: 'ChangeStatus', data: { agentId, status: 'Available' }, metadata: meta(10) }).thenThrows(IllegalStateError);
  });

  it('cannot log out on a call; logging out in wrap-up completes it first', () => {
    given([...ready, reserved('offer-1', 5), callStarted(10)]).when({ type: 'LogOut', data: { agentId }, metadata: meta(20) }).thenThrows(IllegalStateError);
    const inWrapUp: AgentEvent[] = [
      ...ready,
      reserved('offer-1', 5),
      callStarted(10),
      { type: 'AgentCallEnded', data: { ...id, occurredAt: at(100), callId: 'call-1', startedAt: at(10), talkSeconds: 90, reason: 'customer-hung-up' } },
      { type: 'AgentWrapUpStarted', data: { ...id, occurredAt: at(100), callId: 'call-1', until: at(115) } },
    ];
    given(inWrapUp)
      .when({ type: 'LogOut', data: { agentId, reason: 'end of shift' }, metadata: meta(105, 'sam') })
      .then([
        { type: 'AgentWrapUpCompleted', data: { ...id, occurredAt: at(105), callId: 'call-1', startedAt: at(100), wrapUpSeconds: 5, auto: true, actor: 'sam' } },
        { type: 'AgentLoggedOut', data: { ...id, occurredAt: at(105), reason: 'end of shift', actor: 'sam' } },
      ]);
  });

  it('records device registration and unregistration', () => {
    given([loggedIn]).when({ type: 'RegisterDevice', data: { agentId, credentialId: 'cred-1', sipUsername: 'alice-sip' }, metadata: meta(1) }).then([registered]);
    given(ready).when({ type: 'RegisterDevice', data: { agentId, credentialId: 'cred-1', sipUsername: 'alice-sip' }, metadata: meta(2) }).thenNothingHappens();
    given(ready)
      .when({ type: 'UnregisterDevice', data: { agentId, reason: 'browser closed' }, metadata: meta(3) })
      .then([{ type: 'AgentDeviceUnregistered', data: { ...id, occurredAt: at(3), credentialId: 'cred-1', reason: 'browser closed', actor: 'alice' } }]);
  });

  it('refuses a command addressed to another agent', () => {
    given(ready).when({ type: 'LogOut', data: { agentId: 'bob' }, metadata: meta(3) }).thenThrows(ValidationError);
  });
});

describe('reservations', () => {
  it('reserves an available, idle, registered agent until a deadline', () => {
    given(ready).when(reserve('offer-1', 5)).then([reserved('offer-1', 5)]);
  });

  it('never books one agent twice: a second reservation is refused, a repeat of the same one is a no-op', () => {
    given([...ready, reserved('offer-1', 5)])
      .when(reserve('offer-2', 6))
      .thenThrows(IllegalStateError, (e) => e.message === 'Cannot reserve alice: the agent is already reserved for offer offer-1');
    given([...ready, reserved('offer-1', 5)]).when(reserve('offer-1', 6)).thenNothingHappens();
  });

  it('refuses agents on break, logged out, unregistered, on a call or in wrap-up, saying why', () => {
    const refusal = (events: AgentEvent[]) => reservationRefusal(fold(agentDecider, events));
    expect(refusal([])).toBe('the agent is logged out');
    expect(refusal([loggedIn])).toBe("the agent's device is not registered");
    expect(refusal([...ready, { type: 'AgentStatusChanged', data: { ...id, occurredAt: at(3), from: 'Available', to: 'Break', reason: 'lunch', actor: 'alice' } }])).toBe('the agent is on break (lunch)');
    expect(refusal([...ready, reserved('offer-1', 5), callStarted(10)])).toBe('the agent is on call call-1');
  });

  it('a reservation expires at its deadline (never before): stuck reservations are impossible', () => {
    const expire: AgentCommand = { type: 'ExpireReservation', data: { agentId, offerId: 'offer-1' }, metadata: meta(30, 'reactor') };
    given([...ready, reserved('offer-1', 5)]).when(expire).thenNothingHappens();
    given([...ready, reserved('offer-1', 5)])
      .when({ ...expire, metadata: meta(40, 'reactor') })
      .thenMatches((events, after) => {
        expect(events).toEqual([{ type: 'AgentReservationReleased', data: { ...id, occurredAt: at(40), offerId: 'offer-1', callId: 'call-1', reason: 'expired' } }]);
        expect(after.activity).toEqual({ kind: 'Idle' });
      });
  });

  it('a failed offer releases the reservation; releasing another offer changes nothing', () => {
    given([...ready, reserved('offer-1', 5)])
      .when({ type: 'ReleaseReservation', data: { agentId, offerId: 'offer-1', reason: 'offer-failed' }, metadata: meta(6, 'reactor') })
      .then([{ type: 'AgentReservationReleased', data: { ...id, occurredAt: at(6), offerId: 'offer-1', callId: 'call-1', reason: 'offer-failed' } }]);
    given([...ready, reserved('offer-1', 5)])
      .when({ type: 'ReleaseReservation', data: { agentId, offerId: 'offer-9', reason: 'cancelled' }, metadata: meta(6, 'reactor') })
      .thenNothingHappens();
  });

  it('rings, then the call starts and the missed count resets', () => {
    given([...ready, reserved('offer-1', 5)])
      .when({ type: 'MarkRinging', data: { agentId, offerId: 'offer-1' }, metadata: meta(6, 'reactor') })
      .then([{ type: 'AgentRinging', data: { ...id, occurredAt: at(6), offerId: 'offer-1', callId: 'call-1' } }]);
    given([...ready, reserved('offer-1', 5)])
      .when({ type: 'StartCall', data: { agentId, callId: 'call-1', offerId: 'offer-1', direction: 'inbound' }, metadata: meta(10, 'reactor') })
      .thenMatches((_events, after) => expect(after).toMatchObject({ activity: { kind: 'OnCall', callId: 'call-1' }, missedInARow: 0 }));
    given([...ready, reserved('offer-2', 5)])
      .when({ type: 'StartCall', data: { agentId, callId: 'call-1', offerId: 'offer-1', direction: 'inbound' }, metadata: meta(10) })
      .thenThrows(IllegalStateError, (e) => e.message === 'Agent alice holds offer offer-2, not offer-1');
  });

  it('an answer that comes after the reservation lapsed is still recorded: the call is a fact', () => {
    given([...ready])
      .when({ type: 'StartCall', data: { agentId, callId: 'call-1', offerId: 'offer-1', direction: 'inbound' }, metadata: meta(50, 'reactor') })
      .then([{ type: 'AgentCallStarted', data: { ...id, occurredAt: at(50), callId: 'call-1', offerId: 'offer-1', direction: 'inbound' } }]);
  });
});

describe('missed and rejected offers', () => {
  it('counts misses in a row and puts the agent on break at max-no-answer', () => {
    const history: AgentEvent[] = [...ready, reserved('offer-1', 5)];
    const first = given(history)
      .when(missed('offer-1', 30, 2))
      .then([{ type: 'AgentOfferMissed', data: { ...id, occurredAt: at(30), offerId: 'offer-1', callId: 'call-1', reason: 'no-answer', missedInARow: 1, maxNoAnswer: 2 } }]);
    history.push(...first, reserved('offer-2', 40));
    given(history)
      .when(missed('offer-2', 70, 2))
      .then([
        { type: 'AgentOfferMissed', data: { ...id, occurredAt: at(70), offerId: 'offer-2', callId: 'call-1', reason: 'no-answer', missedInARow: 2, maxNoAnswer: 2 } },
        { type: 'AgentStatusChanged', data: { ...id, occurredAt: at(70), from: 'Available', to: 'Break', reason: 'missed offers', actor: 'system' } },
      ]);
  });

  it('counts a miss once even when reported twice', () => {
    const once = fold(agentDecider, [...ready, reserved('offer-1', 5)]);
    const events = agentDecider.decide(missed('offer-1', 30), once);
    given([...ready, reserved('offer-1', 5), ...events]).when(missed('offer-1', 31)).thenNothingHappens();
  });

  it('a rejection frees the agent at once and does not count as a miss', () => {
    given([...ready, reserved('offer-1', 5)])
      .when({ type: 'RecordOfferRejected', data: { agentId, offerId: 'offer-1', callId: 'call-1', reason: 'declined' }, metadata: meta(8, 'reactor') })
      .thenMatches((events, after) => {
        expect(events.map((e) => e.type)).toEqual(['AgentOfferRejected']);
        expect(after).toMatchObject({ activity: { kind: 'Idle' }, missedInARow: 0 });
      });
  });
});

describe('calls and wrap-up', () => {
  const onCall = [...ready, reserved('offer-1', 5), callStarted(10)];

  it('a call ends into wrap-up with a deadline; idle since moves to the end of the wrap-up', () => {
    const ended = given(onCall)
      .when({ type: 'EndCall', data: { agentId, callId: 'call-1', reason: 'customer-hung-up', wrapUpSeconds: 15 }, metadata: meta(100, 'reactor') })
      .then([
        { type: 'AgentCallEnded', data: { ...id, occurredAt: at(100), callId: 'call-1', startedAt: at(10), talkSeconds: 90, reason: 'customer-hung-up' } },
        { type: 'AgentWrapUpStarted', data: { ...id, occurredAt: at(100), callId: 'call-1', until: at(115) } },
      ]);
    const wrapping = [...onCall, ...ended];
    given(wrapping).when({ type: 'ExpireWrapUp', data: { agentId, callId: 'call-1' }, metadata: meta(110, 'reactor') }).thenNothingHappens();
    given(wrapping)
      .when({ type: 'ExpireWrapUp', data: { agentId, callId: 'call-1' }, metadata: meta(115, 'reactor') })
      .thenMatches((events, after) => {
        expect(events).toEqual([{ type: 'AgentWrapUpCompleted', data: { ...id, occurredAt: at(115), callId: 'call-1', startedAt: at(100), wrapUpSeconds: 15, auto: true, actor: 'system' } }]);
        expect(after).toMatchObject({ activity: { kind: 'Idle' }, idleSince: at(115), callsHandled: 1 });
      });
    given(wrapping)
      .when({ type: 'CompleteAgentWrapUp', data: { agentId }, metadata: meta(104) })
      .thenMatches((_events, after) => expect(after.idleSince).toBe(at(104)));
  });

  it('without wrap-up time the agent is idle from the end of the call', () => {
    given(onCall)
      .when({ type: 'EndCall', data: { agentId, callId: 'call-1', reason: 'agent-hung-up', wrapUpSeconds: 0 }, metadata: meta(60, 'reactor') })
      .thenMatches((events, after) => {
        expect(events.map((e) => e.type)).toEqual(['AgentCallEnded']);
        expect(after).toMatchObject({ activity: { kind: 'Idle' }, idleSince: at(60) });
      });
  });

  it('an agent is never on two calls', () => {
    given(onCall)
      .when({ type: 'StartCall', data: { agentId, callId: 'call-2', offerId: 'offer-2', direction: 'inbound' }, metadata: meta(20) })
      .thenThrows(IllegalStateError, (e) => e.message === 'Agent alice is already on call call-1');
    // the agent's own phone placed a call: the previous call (its end not recorded yet) ends here
    given(onCall)
      .when({ type: 'StartCall', data: { agentId, callId: 'call-2', offerId: null, direction: 'outbound' }, metadata: meta(20) })
      .thenMatches((events, after) => {
        expect(events.map((e) => e.type)).toEqual(['AgentCallEnded', 'AgentCallStarted']);
        expect(events[0].data).toMatchObject({ callId: 'call-1', reason: 'superseded' });
        expect(after).toMatchObject({ activity: { kind: 'OnCall', callId: 'call-2' } });
      });
    given(onCall).when({ type: 'StartCall', data: { agentId, callId: 'call-1', offerId: 'offer-1', direction: 'inbound' }, metadata: meta(20) }).thenNothingHappens();
  });

  it('an outbound call starts from idle without a reservation', () => {
    given(ready)
      .when({ type: 'StartCall', data: { agentId, callId: 'out-1', offerId: null, direction: 'outbound' }, metadata: meta(20, 'reactor') })
      .then([{ type: 'AgentCallStarted', data: { ...id, occurredAt: at(20), callId: 'out-1', offerId: null, direction: 'outbound' } }]);
  });

  it('records mute and unmute on the current call', () => {
    given(onCall).when({ type: 'Mute', data: { agentId, callId: 'call-1' }, metadata: meta(20) }).then([{ type: 'AgentMuted', data: { ...id, occurredAt: at(20), callId: 'call-1', actor: 'alice' } }]);
    given([...onCall, { type: 'AgentMuted', data: { ...id, occurredAt: at(20), callId: 'call-1', actor: 'alice' } }])
      .when({ type: 'Mute', data: { agentId, callId: 'call-1' }, metadata: meta(21) })
      .thenNothingHappens();
    given(ready).when({ type: 'Mute', data: { agentId, callId: 'call-1' }, metadata: meta(21) }).thenThrows(IllegalStateError);
  });
});
