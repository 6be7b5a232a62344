import pino from 'pino';
import { initialCallState, evolveCall, type CallState } from '../calls/callState';
import { callAnswered, callHangup, callInitiated } from '../calls/webhookFixtures';
import { LegGoneError, UnavailableError } from '../core/errors';
import type { CallStatus, CommandResult, DialParams, DialResult, TelnyxPort } from '../infrastructure/telnyx/telnyx';
import type { ReactorClock } from './clock';
import { CommandDispatcher, effectSeen, type CommandOutcome } from './commandDispatcher';
import type { PendingCommand } from './reactorState';

const silent = pino({ level: 'silent' });
const T0 = Date.parse('2026-03-02T15:00:00.000Z');

/** A clock the test moves by hand. */
const manualClock = (): ReactorClock & { set(ms: number): void } => {
  let now = T0;
  return { now: () => now, realDelay: (ms) => ms, observe: () => undefined, set: (ms) => (now = ms) };
};

interface Sent {
  action: string;
  callControlId: string | null;
  commandId: string;
}

/** A Telnyx port that records what it is asked, answering from a script. */
const fakeTelnyx = (answer: (sent: Sent) => Promise<CommandResult | DialResult>, alive: (id: string) => boolean = () => true) => {
  const sent: Sent[] = [];
  const port: Pick<TelnyxPort, 'command' | 'dial' | 'retrieveCall'> = {
    command: async (callControlId, command, commandId) => {
      const s = { action: command.action, callControlId, commandId };
      sent.push(s);
      return (await answer(s)) as CommandResult;
    },
    dial: async (_params: DialParams, commandId) => {
      const s = { action: 'dial', callControlId: null, commandId };
      sent.push(s);
      return (await answer(s)) as DialResult;
    },
    retrieveCall: async (id): Promise<CallStatus> => ({ call_control_id: id, call_leg_id: 'leg', call_session_id: 's', is_alive: alive(id) }),
  };
  return { port: port as TelnyxPort, sent };
};

const command = (callId: string, revision: number, action: 'speak' | 'hangup' | 'answer' | 'playback_stop', callControlId = `v3:${callId}`, requestedAt = new Date(T0).toISOString()): PendingCommand => ({
  commandId: `${callId}-${revision}-${action}`,
  callId,
  streamId: `call-${callId}`,
  revision: String(revision),
  requestedAt,
  callControlId,
  causeId: 'cause',
  command:
    action === 'speak'
      ? { action, params: { payload: 'hello', voice: 'female', language: 'en-US', payload_type: 'text' } }
      : action === 'playback_stop'
        ? { action, params: { stop: 'all' } }
        : action === 'answer'
          ? { action, params: { client_state: 'x' } }
          : { action, params: {} },
});

const setUp = (telnyx: TelnyxPort, options: { state?: (callId: string) => CallState; clock?: ReactorClock } = {}) => {
  const outcomes: Array<{ commandId: string; outcome: CommandOutcome }> = [];
  const dispatcher = new CommandDispatcher({
    telnyx,
    clock: options.clock ?? manualClock(),
    logger: silent,
    canSend: () => true,
    retryDelaysMs: [1],
    recordOutcome: async (c, outcome) => {
      outcomes.push({ commandId: c.commandId, outcome });
    },
    callState: async (callId) => (options.state ?? (() => initialCallState()))(callId),
  });
  return { dispatcher, outcomes };
};

describe('the command dispatcher', () => {
  it('sends a call’s commands one at a time in stream order, calls side by side, each once', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { port, sent } = fakeTelnyx(async (s) => {
      if (s.commandId === 'a-1-speak') await gate;
      return { result: 'ok' };
    });
    const { dispatcher, outcomes } = setUp(port);
    dispatcher.resume();
    dispatcher.offer(command('a', 1, 'speak'));
    dispatcher.offer(command('a', 2, 'hangup'));
    dispatcher.offer(command('b', 1, 'speak'));
    dispatcher.offer(command('a', 1, 'speak'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    // a's hangup waits behind a's speak; b goes ahead.
    expect(sent.map((s) => s.commandId)).toEqual(['a-1-speak', 'b-1-speak']);
    release();
    await dispatcher.idle();
    expect(sent.map((s) => s.commandId)).toEqual(['a-1-speak', 'b-1-speak', 'a-2-hangup']);
    expect(outcomes.map((o) => o.outcome.ok)).toEqual([true, true, true]);
  });

  it('puts an earlier command found later ahead of the call’s queue', async () => {
    const { port, sent } = fakeTelnyx(async () => ({ result: 'ok' }));
    const { dispatcher } = setUp(port);
    dispatcher.offer(command('a', 5, 'hangup'));
    dispatcher.offer(command('a', 3, 'speak'));
    dispatcher.resume();
    await dispatcher.idle();
    expect(sent.map((s) => s.commandId)).toEqual(['a-3-speak', 'a-5-hangup']);
  });

  it('records a leg that is gone as a failure without retrying it', async () => {
    const { port, sent } = fakeTelnyx(async () => {
      throw new LegGoneError('gone', { operation: 'speak', status: 422, telnyxCode: '90018', title: 'Call has already ended' });
    });
    const { dispatcher, outcomes } = setUp(port);
    dispatcher.resume();
    dispatcher.offer(command('a', 1, 'speak'));
    await dispatcher.idle();
    expect(sent).toHaveLength(1);
    expect(outcomes[0].outcome).toEqual({ ok: false, error: { status: 422, code: '90018', title: 'Call has already ended' } });
  });

  it('retries with the same command_id while Telnyx is unavailable, inside the window', async () => {
    let calls = 0;
    const { port, sent } = fakeTelnyx(async () => {
      calls += 1;
      if (calls < 3) throw new UnavailableError('503');
      return { result: 'ok' };
    });
    const { dispatcher, outcomes } = setUp(port);
    dispatcher.resume();
    dispatcher.offer(command('a', 1, 'speak'));
    await dispatcher.idle();
    expect(sent.map((s) => s.commandId)).toEqual(['a-1-speak', 'a-1-speak', 'a-1-speak']);
    expect(outcomes).toHaveLength(1);
    expect(dispatcher.counters.retried).toBe(2);
  });

  it('stops repeating once the window has passed and settles the command from the leg’s state', async () => {
    const clock = manualClock();
    const { port, sent } = fakeTelnyx(
      async () => {
        clock.set(clock.now() + 40_000);
        throw new UnavailableError('timeout');
      },
      () => false,
    );
    const { dispatcher, outcomes } = setUp(port, { clock });
    dispatcher.resume();
    dispatcher.offer(command('a', 1, 'speak'));
    await dispatcher.idle();
    expect(sent).toHaveLength(2);
    expect(outcomes[0].outcome).toMatchObject({ ok: false, error: { code: '90018' } });
    expect(dispatcher.counters.reconciled).toBe(1);
  });

  it('sends a command nobody sent yet however late it is', async () => {
    const clock = manualClock();
    clock.set(T0 + 10 * 60_000);
    const { port, sent } = fakeTelnyx(async () => ({ result: 'ok' }));
    const { dispatcher } = setUp(port, { clock });
    dispatcher.resume();
    dispatcher.offer(command('a', 1, 'speak'));
    await dispatcher.idle();
    expect(sent).toHaveLength(1);
    expect(dispatcher.counters.reconciled).toBe(0);
  });

  describe('commands inherited from an earlier process (offered before the first resume)', () => {
    const answeredCall = (): CallState =>
      [
        { type: 'TelnyxWebhookReceived' as const, data: callInitiated({ id: 'w1', at: new Date(T0).toISOString(), session: 'a', callControlId: 'v3:a', clientState: null, from: '+1', to: '+2', direction: 'incoming' }) },
        { type: 'TelnyxWebhookReceived' as const, data: callAnswered({ id: 'w2', at: new Date(T0 + 500).toISOString(), session: 'a', callControlId: 'v3:a' }) },
      ].reduce(evolveCall, initialCallState());

    it('records what the webhooks already show instead of sending it again', async () => {
      const { port, sent } = fakeTelnyx(async () => ({ result: 'ok' }));
      const { dispatcher, outcomes } = setUp(port, { state: answeredCall });
      dispatcher.offer(command('a', 1, 'answer'));
      dispatcher.resume();
      await dispatcher.idle();
      expect(sent).toEqual([]);
      expect(outcomes[0].outcome).toEqual({ ok: true, result: {} });
    });

    it('fails a command on a leg whose hangup is stored, without sending it', async () => {
      const ended = (): CallState =>
        evolveCall(answeredCall(), { type: 'TelnyxWebhookReceived', data: callHangup({ id: 'w3', at: new Date(T0 + 900).toISOString(), session: 'a', callControlId: 'v3:a' }) });
      const { port, sent } = fakeTelnyx(async () => ({ result: 'ok' }));
      const { dispatcher, outcomes } = setUp(port, { state: ended });
      dispatcher.offer(command('a', 2, 'speak'));
      dispatcher.resume();
      await dispatcher.idle();
      expect(sent).toEqual([]);
      expect(outcomes[0].outcome).toMatchObject({ ok: false, error: { code: '90018' } });
    });

    it('sends again, with the same command_id, one younger than the window that the webhooks cannot confirm', async () => {
      const clock = manualClock();
      clock.set(T0 + 20_000);
      const { port, sent } = fakeTelnyx(async () => ({ result: 'ok' }));
      const { dispatcher } = setUp(port, { state: answeredCall, clock });
      dispatcher.offer(command('a', 2, 'speak'));
      dispatcher.resume();
      await dispatcher.idle();
      expect(sent.map((s) => s.commandId)).toEqual(['a-2-speak']);
    });

    it('reconciles one older than the window from the leg’s status: a live leg gets it again', async () => {
      const clock = manualClock();
      clock.set(T0 + 5 * 60_000);
      const { port, sent } = fakeTelnyx(async () => ({ result: 'ok' }), () => true);
      const { dispatcher, outcomes } = setUp(port, { state: answeredCall, clock });
      dispatcher.offer(command('a', 2, 'playback_stop'));
      dispatcher.resume();
      await dispatcher.idle();
      expect(dispatcher.counters.reconciled).toBe(1);
      expect(sent.map((s) => s.action)).toEqual(['playback_stop']);
      expect(outcomes[0].outcome.ok).toBe(true);
    });
  });
});

describe('what the webhooks show of a command', () => {
  const pending = (action: 'speak' | 'playback_stop', requestedAt: string): PendingCommand => command('a', 4, action, 'v3:a', requestedAt);
  const webhook = (eventType: string, at: string, callControlId = 'v3:a') =>
    ({ webhookId: at, eventType, occurredAt: at, callSessionId: 'a', callControlId, callLegId: null, payload: { call_control_id: callControlId } });

  it('takes a speak as done once its leg reported the speech starting after the request', async () => {
    const at = new Date(T0).toISOString();
    const later = new Date(T0 + 1000).toISOString();
    const earlier = new Date(T0 - 1000).toISOString();
    expect(effectSeen([webhook('call.speak.started', later)], pending('speak', at))).toBe(true);
    expect(effectSeen([webhook('call.speak.started', earlier)], pending('speak', at))).toBe(false);
    expect(effectSeen([webhook('call.speak.started', later, 'v3:other')], pending('speak', at))).toBe(false);
    // Nothing reports a playback_stop on its own: only Telnyx knows.
    expect(effectSeen([webhook('call.playback.ended', later)], pending('playback_stop', at))).toBe(false);
  });
});
