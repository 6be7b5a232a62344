import { checkBusinessHours } from '../config/businessHours';
import { languageSettingsFor, numberConfigFor, type CallAttributes, type ContactCenterConfig, type ContactCenterSettings, type IvrAction, type QueueConfig } from '../config/config';
import { transcriptionLanguageFor } from '../config/languages';
import { deterministicId, type Decider } from '../core/decider';
import { IllegalStateError, NotFoundError, ValidationError } from '../core/errors';
import type { CallCommand, HandleWebhook, OfferCall } from './callCommands';
import type { AgentDisconnected, CallEvent, CallEventBase, CallOutcome, LeftQueueReason, OfferCancelled, QueueDeadlines, TransferTarget } from './callEvents';
import { evolveCall, foldWebhook, initialCallState, liveLeg, offerLegOf, webhookCallControlId, type ActiveCall, type CallState, type Leg, type Offer } from './callState';
import { telnyxCommandId, type CustomHeader, type TelnyxCommand } from './telnyxCommands';
import { CALL_ID_HEADER, callStreamId, decodeClientState, encodeClientState, OFFER_ID_HEADER, owningCallId, QUEUE_ID_HEADER, type ClientState, type TelnyxWebhookData } from './webhook';

/** Seconds past the ring timeout before an unanswered offer is expired by the reactor's timer (Telnyx's dial timeout normally ends it first). */
export const OFFER_EXPIRY_GRACE_SECONDS = 5;
const TRANSFER_RING_SECONDS = 30;
const OUTBOUND_RING_SECONDS = 60;

////////////////////////////////////////// Time

export const addSeconds = (iso: string, seconds: number): string => new Date(Date.parse(iso) + seconds * 1000).toISOString();
export const secondsBetween = (from: string, to: string): number => Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));

////////////////////////////////////////// Decision draft: events accumulate and fold as they are decided

interface Draft {
  readonly config: ContactCenterConfig;
  readonly callId: string;
  readonly causeId: string;
  readonly at: string;
  readonly actor: string;
  state: CallState;
  readonly events: CallEvent[];
  readonly occurrences: Map<string, number>;
}

const emit = (d: Draft, event: CallEvent): void => {
  d.events.push(event);
  d.state = evolveCall(d.state, event);
};

const base = (d: Draft): CallEventBase => ({ callId: d.callId, occurredAt: d.at, causeId: d.causeId });

const active = (d: Draft): ActiveCall => {
  if (d.state.status === 'New') throw new NotFoundError(`Call ${d.callId} has not started`);
  return d.state;
};

const settingsOf = (d: Draft): ContactCenterSettings => {
  if (!d.config.settings) throw new IllegalStateError('The contact center settings are not configured');
  return d.config.settings;
};

/** Records a Telnyx command request; returns its command_id. */
const request = (d: Draft, callControlId: string | null, command: TelnyxCommand, reason: string): string => {
  const target = callControlId ?? (command.action === 'dial' ? command.params.to : '');
  const key = `${command.action}|${target}`;
  const occurrence = d.occurrences.get(key) ?? 0;
  d.occurrences.set(key, occurrence + 1);
  const commandId = telnyxCommandId(d.causeId, command.action, target, occurrence);
  emit(d, { type: 'TelnyxCommandRequested', data: { ...base(d), commandId, callControlId, reason, ...command } });
  return commandId;
};

const hangupLeg = (d: Draft, callControlId: string | null, reason: string): void => {
  const leg = liveLeg(d.state, callControlId);
  if (leg && !leg.hangupRequested) request(d, leg.callControlId, { action: 'hangup', params: {} }, reason);
};

const languageOf = (d: Draft, s: ActiveCall, override?: string): string => override ?? s.attributes.language ?? settingsOf(d).defaultLanguage;

const speak = (d: Draft, callControlId: string, text: string, reason: string, targetLegs?: 'self' | 'opposite' | 'both', language?: string): void => {
  const s = active(d);
  const lang = languageSettingsFor(settingsOf(d), languageOf(d, s, language));
  request(d, callControlId, { action: 'speak', params: { payload: text, voice: lang.voice, language: lang.ttsLanguage, payload_type: 'text', ...(targetLegs ? { target_legs: targetLegs } : {}) } }, reason);
};

const promptsOf = (d: Draft) => languageSettingsFor(settingsOf(d), languageOf(d, active(d))).prompts;

/** The call closes with a goodbye to the caller, who is hung up once it is said. */
const closeWithGoodbye = (d: Draft, callControlId: string | null, outcome: CallOutcome, reason: string, speakReason: string): void => {
  emit(d, { type: 'CallClosing', data: { ...base(d), outcome, reason, hangupAfterSpeak: true } });
  if (callControlId) speak(d, callControlId, promptsOf(d).goodbye, speakReason);
};

const sipUri = (d: Draft, sipUsername: string): string => `sip:${sipUsername}@${settingsOf(d).agentSipDomain}`;

const headers = (d: Draft, extra: Array<[string, string | null]>): CustomHeader[] =>
  [[CALL_ID_HEADER, d.callId] as [string, string | null], ...extra].filter((h): h is [string, string] => h[1] !== null).map(([name, value]) => ({ name, value }));

const queueOf = (d: Draft, queueId: string | null | undefined): QueueConfig | undefined => (queueId ? d.config.queues[queueId] : undefined);

/** The queue whose settings apply to the call now (hold music, caller id, recording). */
const currentQueue = (d: Draft): QueueConfig | undefined => {
  const s = active(d);
  return queueOf(d, s.queueId) ?? queueOf(d, s.entry?.queueId) ?? queueOf(d, settingsOf(d).defaultOutboundQueueId) ?? Object.values(d.config.queues)[0];
};

const requireAgentOnCall = (s: ActiveCall, agentId: string): string => {
  const leg = s.agentsOnCall[agentId];
  if (!leg) throw new IllegalStateError(`Agent ${agentId} is not connected to call ${s.callId}`);
  return leg;
};

const requireConnected = (s: CallState, what: string): ActiveCall & { status: 'Connected' } => {
  if (s.status !== 'Connected') throw new IllegalStateError(`Cannot ${what}: the call is ${s.status}`);
  return s;
};

////////////////////////////////////////// IVR

const mergeAttributes = (current: CallAttributes, update: CallAttributes | undefined): CallAttributes => {
  if (!update) return current;
  const skills = [...(current.skills ?? [])];
  for (const skill of update.skills ?? []) {
    const i = skills.findIndex((s) => s.skill === skill.skill);
    if (i < 0) skills.push(skill);
    else skills[i] = { skill: skill.skill, minLevel: Math.max(skills[i].minLevel, skill.minLevel) };
  }
  const priority = Math.max(current.priority ?? 0, update.priority ?? 0);
  return {
    ...current,
    ...(update.language !== undefined ? { language: update.language } : {}),
    ...(update.department !== undefined ? { department: update.department } : {}),
    ...(skills.length > 0 ? { skills } : {}),
    ...(priority > 0 ? { priority } : {}),
  };
};

const presentMenu = (d: Draft, menuId: string, attempt: number, reason: 'entry' | 'submenu' | 'invalid' | 'timeout', prefix?: string): void => {
  const s = active(d);
  const menu = d.config.ivrMenus[menuId];
  const customer = liveLeg(s, s.customerCallControlId);
  if (!customer) return;
  if (!menu) {
    return closeWithGoodbye(d, customer.callControlId, 'ended-in-ivr', `IVR menu ${menuId} is not configured`, 'missing IVR menu');
  }
  const language = languageOf(d, s);
  const prompts = menu.prompts[language] ?? menu.prompts[settingsOf(d).defaultLanguage] ?? Object.values(menu.prompts)[0];
  const lang = languageSettingsFor(settingsOf(d), language);
  const greeting = reason === 'entry' || reason === 'submenu' ? prompts.greeting : undefined;
  const payload = [prefix, greeting, prompts.menu].filter((p): p is string => p !== undefined && p.length > 0).join(' ');
  const validDigits = menu.options.map((o) => o.digit).join('');
  const commandId = request(
    d,
    customer.callControlId,
    {
      action: 'gather_using_speak',
      params: {
        payload,
        voice: lang.voice,
        language: lang.ttsLanguage,
        payload_type: 'text',
        minimum_digits: 1,
        maximum_digits: 1,
        maximum_tries: 1,
        timeout_millis: menu.timeoutSeconds * 1000,
        valid_digits: validDigits.length > 0 ? validDigits : '0123456789*#',
        terminating_digit: '',
      },
    },
    `IVR menu ${menuId}, attempt ${attempt}`,
  );
  emit(d, { type: 'IvrMenuPresented', data: { ...base(d), menuId, language, attempt, reason, commandId } });
};

const performAction = (d: Draft, action: IvrAction, reason: 'ivr' | 'ivr-default'): void => {
  switch (action.kind) {
    case 'submenu':
      return presentMenu(d, action.menuId, 1, 'submenu');
    case 'queue':
      return enqueue(d, action.queueId, reason, {});
    case 'voicemail':
      return startVoicemail(d, 'caller-choice', action.queueId ?? null, undefined);
    case 'callback': {
      enqueue(d, action.queueId, 'callback', { kind: 'callback' });
      return confirmCallback(d, 'ivr');
    }
    case 'hangup':
      return closeWithGoodbye(d, active(d).customerCallControlId, 'ended-in-ivr', 'IVR option ends the call', 'IVR goodbye');
    default: {
      const _exhaustive: never = action;
      return;
    }
  }
};

const onGatherEnded = (d: Draft, webhook: TelnyxWebhookData): void => {
  const s = d.state;
  const callControlId = webhookCallControlId(webhook);
  if (s.status !== 'Ivr' || !s.awaitingInput || callControlId !== s.customerCallControlId || !liveLeg(s, callControlId)) return;
  const menu = d.config.ivrMenus[s.menuId];
  if (!menu) return;
  const status = webhook.payload.status ?? '';
  const digits = webhook.payload.digits ?? '';
  if (status !== 'valid' && status !== 'invalid' && status !== 'timeout') return;
  const option = digits.length > 0 ? menu.options.find((o) => o.digit === digits) : undefined;
  if (option) {
    const attributes = mergeAttributes(s.attributes, option.action.setAttributes);
    emit(d, { type: 'IvrOptionSelected', data: { ...base(d), menuId: menu.menuId, digits, label: option.label, action: option.action, attributes, byDefault: false, defaultReason: null } });
    return performAction(d, option.action, 'ivr');
  }
  const kind = digits.length > 0 ? 'invalid' : 'timeout';
  emit(d, { type: 'IvrInputRejected', data: { ...base(d), menuId: menu.menuId, digits: digits.length > 0 ? digits : null, kind, attempt: s.attempt, maxRetries: menu.maxRetries } });
  if (s.attempt <= menu.maxRetries) {
    const prompts = menu.prompts[languageOf(d, s)] ?? Object.values(menu.prompts)[0];
    return presentMenu(d, menu.menuId, s.attempt + 1, kind, kind === 'invalid' ? prompts.invalid : prompts.timeout);
  }
  const attributes = mergeAttributes(s.attributes, menu.defaultAction.setAttributes);
  emit(d, { type: 'IvrOptionSelected', data: { ...base(d), menuId: menu.menuId, digits: null, label: 'default', action: menu.defaultAction, attributes, byDefault: true, defaultReason: kind } });
  performAction(d, menu.defaultAction, 'ivr-default');
};

////////////////////////////////////////// Queue

const deadlinesFor = (queue: QueueConfig, at: string): QueueDeadlines => ({
  overflow: queue.overflow.map((tier) => ({ at: addSeconds(at, tier.afterSeconds), targetQueueId: tier.targetQueueId })),
  maxWaitAt: addSeconds(at, queue.maxWaitSeconds),
  onMaxWait: queue.voicemailOnMaxWait ? 'voicemail' : 'hangup',
});

const leaveQueue = (d: Draft, reason: LeftQueueReason, agentId: string | null): void => {
  const s = active(d);
  const entry = s.entry;
  if (!entry || !entry.waiting) return;
  emit(d, {
    type: 'CallLeftQueue',
    data: {
      ...base(d),
      entryId: entry.entryId,
      queueId: entry.queueId,
      reason,
      enqueuedAt: entry.enqueuedAt,
      waitedSeconds: secondsBetween(entry.enqueuedAt, d.at),
      queueWaitedSeconds: secondsBetween(entry.queueEnteredAt, d.at),
      agentId,
    },
  });
};

const enqueue = (
  d: Draft,
  queueId: string,
  reason: 'ivr' | 'ivr-default' | 'transfer' | 'overflow' | 'callback',
  options: { kind?: 'call' | 'callback'; targetAgentId?: string },
): void => {
  const s = active(d);
  const queue = queueOf(d, queueId) ?? currentQueue(d);
  if (!queue) {
    emit(d, { type: 'CallClosing', data: { ...base(d), outcome: 'max-wait', reason: `queue ${queueId} is not configured`, hangupAfterSpeak: true } });
    if (s.customerCallControlId) speak(d, s.customerCallControlId, `${promptsOf(d).maxWaitReached} ${promptsOf(d).goodbye}`, 'no queue');
    return;
  }
  const previous = s.entry;
  const keep = previous !== null && (reason === 'overflow' || queue.keepOriginalEnqueueTime);
  const kind = options.kind ?? (reason === 'overflow' && previous ? previous.kind : 'call');
  const wasInTelnyxQueue = previous !== null && previous.waiting && previous.kind === 'call';
  leaveQueue(d, reason === 'overflow' ? 'overflow' : 'transfer', null);
  emit(d, {
    type: 'CallQueued',
    data: {
      ...base(d),
      entryId: deterministicId('entry', d.callId, d.causeId, queue.queueId),
      queueId: queue.queueId,
      kind,
      priority: keep && previous ? previous.priority : queue.priority + (s.attributes.priority ?? 0),
      enqueuedAt: keep && previous ? previous.enqueuedAt : d.at,
      queueEnteredAt: d.at,
      attributes: s.attributes,
      reason,
      fromQueueId: reason === 'overflow' || reason === 'transfer' ? (previous?.queueId ?? null) : null,
      targetAgentId: options.targetAgentId ?? null,
      callbackNumber: kind === 'callback' ? (previous?.callbackNumber ?? s.from) : null,
      deadlines: reason === 'overflow' && previous ? { ...previous.deadlines, overflow: previous.deadlines.overflow.filter((t) => t.at > d.at) } : deadlinesFor(queue, d.at),
      nextAnnouncementAt: kind === 'call' && queue.announcementIntervalSeconds > 0 ? addSeconds(d.at, queue.announcementIntervalSeconds) : null,
    },
  });
  const customer = liveLeg(d.state, active(d).customerCallControlId);
  if (kind === 'call' && customer) {
    if (wasInTelnyxQueue) request(d, customer.callControlId, { action: 'leave_queue', params: {} }, `leave queue ${previous?.queueId ?? ''}`);
    request(d, customer.callControlId, { action: 'enqueue', params: { queue_name: queue.queueId } }, `wait in queue ${queue.queueId}`);
  }
};

const holdMusic = (d: Draft, reason: string): void => {
  const s = active(d);
  const queue = queueOf(d, s.entry?.queueId) ?? currentQueue(d);
  if (s.customerCallControlId && queue) request(d, s.customerCallControlId, { action: 'playback_start', params: { audio_url: queue.holdMusicUrl, loop: 'infinity' } }, reason);
};

const stopAudio = (d: Draft, callControlId: string | null, reason: string): void => {
  if (liveLeg(d.state, callControlId) && callControlId) request(d, callControlId, { action: 'playback_stop', params: { stop: 'all' } }, reason);
};

const cancelOpenOffer = (d: Draft, reason: OfferCancelled['data']['reason']): void => {
  const s = active(d);
  for (const offer of Object.values(s.offers)) {
    if (!offer.open) continue;
    for (const agent of offer.agents.filter((a) => a.outcome === 'ringing')) {
      emit(d, { type: 'OfferCancelled', data: { ...base(d), offerId: offer.offerId, agentId: agent.agentId, reason } });
      hangupLeg(d, offerLegOf(d.state, offer.offerId, agent.agentId)?.callControlId ?? null, `offer cancelled: ${reason}`);
    }
  }
};

const confirmCallback = (d: Draft, via: 'ivr' | 'queue-digit' | 'api'): void => {
  const s = active(d);
  const entry = s.entry;
  if (!entry) return;
  emit(d, { type: 'CallbackRequested', data: { ...base(d), entryId: entry.entryId, queueId: entry.queueId, number: entry.callbackNumber ?? s.from, enqueuedAt: entry.enqueuedAt, via } });
  const customer = liveLeg(d.state, s.customerCallControlId);
  if (customer) {
    if (via !== 'ivr') stopAudio(d, customer.callControlId, 'callback requested');
    speak(d, customer.callControlId, promptsOf(d).callbackConfirmed, 'confirm the callback');
  }
};

const requestCallback = (d: Draft, via: 'queue-digit' | 'api'): void => {
  const s = active(d);
  if ((s.status !== 'Queued' && s.status !== 'Offering') || !s.entry?.waiting) {
    if (via === 'api') throw new IllegalStateError(`Call ${s.callId} is not waiting in a queue (${s.status})`);
    return;
  }
  cancelOpenOffer(d, 'call-left-queue');
  confirmCallback(d, via);
};

const announcePosition = (d: Draft, position: number, ewtSeconds: number): void => {
  const s = active(d);
  const customer = liveLeg(s, s.customerCallControlId);
  if (!customer || !s.entry) return;
  const queue = queueOf(d, s.entry.queueId);
  const interval = queue?.announcementIntervalSeconds ?? 0;
  const minutes = Math.max(1, Math.ceil(ewtSeconds / 60));
  const text = promptsOf(d).queuePosition.replace('{position}', String(position)).replace('{minutes}', String(minutes));
  emit(d, { type: 'QueuePositionAnnounced', data: { ...base(d), queueId: s.entry.queueId, position, ewtSeconds, nextAnnouncementAt: interval > 0 ? addSeconds(d.at, interval) : null } });
  stopAudio(d, customer.callControlId, 'pause hold music for the announcement');
  speak(d, customer.callControlId, text, `position ${position}, about ${minutes} min`);
};

////////////////////////////////////////// Voicemail and closing

const startVoicemail = (d: Draft, reason: 'caller-choice' | 'max-wait' | 'after-hours' | 'requested', queueId: string | null, prefix: string | undefined): void => {
  const s = active(d);
  const wasWaiting = (s.status === 'Queued' || s.status === 'Offering') && s.entry?.waiting === true;
  if (wasWaiting) {
    cancelOpenOffer(d, 'call-left-queue');
    leaveQueue(d, reason === 'max-wait' ? 'max-wait' : 'voicemail', null);
  }
  emit(d, { type: 'VoicemailStarted', data: { ...base(d), reason, queueId: queueId ?? s.entry?.queueId ?? null } });
  const customer = liveLeg(d.state, s.customerCallControlId);
  if (!customer) return;
  // A leg records one thing at a time: the conversation's recording (after a transfer) ends before the message.
  const recording = active(d).recording;
  if (recording && recording.status !== 'stopped' && liveLeg(d.state, recording.callControlId)) {
    emit(d, { type: 'RecordingStopped', data: { ...base(d), callControlId: recording.callControlId, actor: 'system' } });
    request(d, recording.callControlId, { action: 'record_stop', params: {} }, 'the caller leaves a voicemail');
  }
  if (wasWaiting) {
    request(d, customer.callControlId, { action: 'leave_queue', params: {} }, 'voicemail');
    stopAudio(d, customer.callControlId, 'voicemail');
  }
  speak(d, customer.callControlId, [prefix, promptsOf(d).voicemailPrompt].filter(Boolean).join(' '), 'voicemail prompt');
};

const endCall = (d: Draft, outcome: CallOutcome, hangup: Leg | undefined): void => {
  const s = active(d);
  cancelOpenOffer(d, 'caller-hung-up');
  for (const leg of Object.values(d.state.legs)) {
    if (leg.status === 'ended' || leg.callControlId === s.customerCallControlId) continue;
    const agentId = leg.agentId ?? (leg.callControlId === s.agentCallControlId ? s.agentId : null);
    if (leg.role === 'agent' && agentId && active(d).agentsOnCall[agentId] === leg.callControlId) {
      emit(d, { type: 'AgentDisconnected', data: { ...base(d), agentId, callControlId: leg.callControlId, reason: 'call-ended' } });
    }
    hangupLeg(d, leg.callControlId, 'the call ended');
  }
  for (const supervisorId of Object.keys(active(d).supervisors)) emit(d, { type: 'SupervisionEnded', data: { ...base(d), supervisorId, reason: 'the call ended' } });
  const now = active(d);
  emit(d, {
    type: 'CallEnded',
    data: {
      ...base(d),
      outcome,
      hangupCause: hangup?.hangupCause ?? null,
      hangupSource: hangup?.hangupSource ?? null,
      startedAt: now.startedAt,
      durationSeconds: secondsBetween(now.startedAt, d.at),
      queueId: now.queueId ?? now.entry?.queueId ?? null,
      agentId: now.agentId,
    },
  });
};

const disconnectAgent = (d: Draft, agentId: string, reason: AgentDisconnected['data']['reason'], hangup: boolean): void => {
  const leg = active(d).agentsOnCall[agentId] ?? null;
  emit(d, { type: 'AgentDisconnected', data: { ...base(d), agentId, callControlId: leg, reason } });
  if (hangup) hangupLeg(d, leg, `agent ${agentId} disconnected: ${reason}`);
};

////////////////////////////////////////// Offers

const classifyUnansweredHangup = (leg: Leg): { kind: 'rejected'; reason: string } | { kind: 'missed'; reason: 'no-answer' | 'unreachable' } => {
  const cause = leg.hangupCause ?? 'unspecified';
  if (cause === 'call_rejected' || cause === 'user_busy' || (cause === 'normal_clearing' && leg.hangupSource === 'callee')) return { kind: 'rejected', reason: `declined on the phone (${cause})` };
  if (cause === 'timeout' || cause === 'no_answer' || cause === 'originator_cancel' || cause === 'normal_clearing') return { kind: 'missed', reason: 'no-answer' };
  return { kind: 'missed', reason: 'unreachable' };
};

const closeOfferIfDone = (d: Draft, offerId: string): void => {
  const s = active(d);
  const offer = s.offers[offerId];
  if (!offer || offer.acceptedBy !== null || offer.agents.some((a) => a.outcome === 'ringing')) return;
  if (offer.purpose === 'consult') {
    if (s.status === 'Connected' && s.transfer && s.transfer.consultOfferId === offerId && !s.transfer.connected) cancelWarmTransfer(d, 'the consulted agent did not answer');
    return;
  }
  if (s.status !== 'Offering' || s.offerId !== offerId || !s.entry) return;
  const queue = queueOf(d, s.entry.queueId);
  const until = addSeconds(d.at, queue?.reofferDelaySeconds ?? 0);
  const declined = offer.agents.filter((a) => a.outcome === 'rejected' || a.outcome === 'missed').map((a) => a.agentId);
  // Kept after `until`: the router then still offers the call to agents who have not declined it first.
  const excludedAgents = [...s.entry.excludedAgents.filter((e) => !declined.includes(e.agentId)), ...declined.map((agentId) => ({ agentId, until }))];
  const summary = offer.agents.map((a) => `${a.agentId} ${a.outcome}`).join(', ');
  emit(d, { type: 'CallReturnedToQueue', data: { ...base(d), offerId, entryId: s.entry.entryId, queueId: s.entry.queueId, reason: `offer ended without an answer (${summary})`, excludedAgents } });
};

const offerCall = (d: Draft, command: OfferCall): void => {
  const { offerId, purpose, strategy, agents } = command.data;
  const s = active(d);
  if (s.offers[offerId]) return;
  const agentIds = agents.map((a) => a.agentId);
  const fail = (reason: string) => emit(d, { type: 'CallOfferFailed', data: { ...base(d), offerId, agentIds, reason } });
  if (agents.length === 0) return fail('no agent to offer the call to');
  const customer = liveLeg(s, s.customerCallControlId);
  let queue: QueueConfig | undefined;
  if (purpose === 'queue') {
    if (s.status !== 'Queued' || !s.entry?.waiting || s.entry.kind !== 'call') return fail(`the call is not waiting in a queue (${s.status})`);
    if (!customer) return fail('the caller has hung up');
    queue = queueOf(d, s.entry.queueId);
  } else if (purpose === 'callback') {
    if (s.status !== 'CallbackWaiting' || !s.entry?.waiting) return fail(`no callback is waiting (${s.status})`);
    queue = queueOf(d, s.entry.queueId);
  } else {
    if (s.status !== 'Connected' || !s.transfer || s.transfer.transferId !== command.data.transferId || s.transfer.target.kind !== 'agent' || s.transfer.consultOfferId !== null) {
      return fail('no warm transfer is waiting for an agent');
    }
    if (!customer) return fail('the caller has hung up');
    queue = currentQueue(d);
  }
  const ringTimeoutSeconds = queue?.ringTimeoutSeconds ?? 20;
  emit(d, {
    type: 'CallOffered',
    data: {
      ...base(d),
      offerId,
      entryId: purpose === 'consult' ? null : (s.entry?.entryId ?? null),
      queueId: queue?.queueId ?? null,
      purpose,
      strategy,
      agents,
      ringTimeoutSeconds,
      expiresAt: addSeconds(d.at, ringTimeoutSeconds + OFFER_EXPIRY_GRACE_SECONDS),
      decisionId: command.data.decisionId ?? null,
      transferId: command.data.transferId ?? null,
    },
  });
  const displayName = (s.caller?.name ?? queue?.name ?? s.from).slice(0, 128);
  for (const agent of agents) {
    const clientState: ClientState = { callId: d.callId, role: 'agent', agentId: agent.agentId, offerId };
    const common = {
      to: sipUri(d, agent.sipUsername),
      timeout_secs: ringTimeoutSeconds,
      client_state: encodeClientState(clientState),
      custom_headers: headers(d, [
        [OFFER_ID_HEADER, offerId],
        [QUEUE_ID_HEADER, queue?.queueId ?? null],
      ]),
    };
    if (purpose === 'callback') {
      request(d, null, { action: 'dial', params: { ...common, from: queue?.callerIdNumber ?? s.to, from_display_name: `Callback ${s.entry?.callbackNumber ?? s.from}`.slice(0, 128) } }, `offer callback to ${agent.agentId}`);
    } else if (purpose === 'consult') {
      request(d, null, { action: 'dial', params: { ...common, from: s.from, from_display_name: 'Transfer', link_to: s.customerCallControlId ?? undefined, park_after_unbridge: 'self' } }, `consult ${agent.agentId}`);
    } else {
      request(
        d,
        null,
        { action: 'dial', params: { ...common, from: s.from, from_display_name: displayName, link_to: s.customerCallControlId ?? undefined, bridge_intent: true, park_after_unbridge: 'self' } },
        `offer to ${agent.agentId} (${strategy})`,
      );
    }
  }
};

const startRecording = (d: Draft, reason: string): void => {
  const s = active(d);
  const customer = liveLeg(s, s.customerCallControlId);
  if (!customer || (s.recording && s.recording.status !== 'stopped')) return;
  const { format, channels, playBeep } = settingsOf(d).recording;
  emit(d, { type: 'RecordingStarted', data: { ...base(d), callControlId: customer.callControlId, format, channels, reason } });
  request(d, customer.callControlId, { action: 'record_start', params: { format, channels, play_beep: playBeep } }, reason);
};

const recordPerPolicy = (d: Draft): void => {
  const queue = currentQueue(d);
  if (queue?.recordPolicy === 'always') startRecording(d, `queue ${queue.queueId} records every call`);
};

const cancelOtherAgents = (d: Draft, offer: Offer, winner: string): void => {
  for (const agent of offer.agents) {
    if (agent.agentId === winner || agent.outcome !== 'ringing') continue;
    emit(d, { type: 'OfferCancelled', data: { ...base(d), offerId: offer.offerId, agentId: agent.agentId, reason: 'answered-elsewhere' } });
    hangupLeg(d, offerLegOf(d.state, offer.offerId, agent.agentId)?.callControlId ?? null, `${winner} answered first`);
  }
};

const agentAnswered = (d: Draft, leg: Leg): void => {
  const s = active(d);
  if (!leg.offerId) return;
  const offer = s.offers[leg.offerId];
  const offered = offer?.agents.find((a) => a.agentId === leg.agentId);
  if (!offer || !offered || !leg.agentId) return hangupLeg(d, leg.callControlId, 'an agent leg of no known offer');
  if (!offer.open || offered.outcome !== 'ringing') {
    return hangupLeg(d, leg.callControlId, offer.acceptedBy ? `${offer.acceptedBy} already took the call` : `the offer is closed (${offered.outcome})`);
  }
  const agentId = leg.agentId;
  const customer = liveLeg(s, s.customerCallControlId);
  switch (offer.purpose) {
    case 'queue': {
      if (s.status !== 'Offering' || s.offerId !== offer.offerId || !customer) return hangupLeg(d, leg.callControlId, 'the caller is gone');
      const entry = s.entry;
      emit(d, { type: 'OfferAccepted', data: { ...base(d), offerId: offer.offerId, agentId, callControlId: leg.callControlId, purpose: offer.purpose } });
      cancelOtherAgents(d, offer, agentId);
      leaveQueue(d, 'answered', agentId);
      stopAudio(d, customer.callControlId, 'stop hold music');
      request(d, customer.callControlId, { action: 'bridge', params: { call_control_id: leg.callControlId, park_after_unbridge: 'self' } }, `connect the caller to ${agentId}`);
      emit(d, {
        type: 'AgentConnected',
        data: {
          ...base(d),
          agentId,
          callControlId: leg.callControlId,
          via: entry?.reason === 'transfer' ? 'transfer' : 'queue',
          queueId: entry?.queueId ?? null,
          offerId: offer.offerId,
          enqueuedAt: entry?.enqueuedAt ?? null,
          waitedSeconds: entry ? secondsBetween(entry.enqueuedAt, d.at) : null,
        },
      });
      return recordPerPolicy(d);
    }
    case 'callback': {
      if (s.status !== 'Offering' || s.offerId !== offer.offerId || !s.entry) return hangupLeg(d, leg.callControlId, 'the callback is no longer waiting');
      const entry = s.entry;
      emit(d, { type: 'OfferAccepted', data: { ...base(d), offerId: offer.offerId, agentId, callControlId: leg.callControlId, purpose: offer.purpose } });
      cancelOtherAgents(d, offer, agentId);
      leaveQueue(d, 'answered', agentId);
      const queue = queueOf(d, entry.queueId);
      const number = entry.callbackNumber ?? s.from;
      // The caller may still be on the first leg, hearing the confirmation: end it before calling back.
      hangupLeg(d, liveLeg(d.state, s.customerCallControlId)?.callControlId ?? null, 'the callback is calling the caller back');
      request(
        d,
        null,
        {
          action: 'dial',
          params: {
            to: number,
            from: queue?.callerIdNumber ?? s.to,
            link_to: leg.callControlId,
            bridge_on_answer: true,
            park_after_unbridge: 'self',
            timeout_secs: settingsOf(d).callbackRingTimeoutSeconds,
            client_state: encodeClientState({ callId: d.callId, role: 'customer' }),
            custom_headers: headers(d, [[QUEUE_ID_HEADER, entry.queueId]]),
          },
        },
        `call back ${number} for ${agentId}`,
      );
      return;
    }
    case 'consult': {
      if (s.status !== 'Connected' || !s.transfer || s.transfer.consultOfferId !== offer.offerId) return hangupLeg(d, leg.callControlId, 'the transfer is no longer pending');
      const transfer = s.transfer;
      emit(d, { type: 'OfferAccepted', data: { ...base(d), offerId: offer.offerId, agentId, callControlId: leg.callControlId, purpose: offer.purpose } });
      cancelOtherAgents(d, offer, agentId);
      emit(d, { type: 'ConsultationConnected', data: { ...base(d), transferId: transfer.transferId, target: transfer.target, callControlId: leg.callControlId } });
      const fromLeg = liveLeg(d.state, s.agentsOnCall[transfer.fromAgentId] ?? null);
      if (fromLeg) request(d, fromLeg.callControlId, { action: 'bridge', params: { call_control_id: leg.callControlId, park_after_unbridge: 'self' } }, `consult: ${transfer.fromAgentId} with ${agentId}`);
      // The transferring agent left while the target rang: the target takes the caller at once.
      else completeWarmTransfer(d, `${transfer.fromAgentId} left before ${agentId} answered`);
      return;
    }
    default: {
      const _exhaustive: never = offer.purpose;
      return;
    }
  }
};

////////////////////////////////////////// Transfers

const cancelWarmTransfer = (d: Draft, reason: string): void => {
  const s = active(d);
  if (s.status !== 'Connected' || !s.transfer) return;
  const transfer = s.transfer;
  // The caller goes back to the agent, off hold: a hold from before the transfer ends here too.
  if (transfer.heldBefore === true && liveLeg(d.state, s.agentsOnCall[transfer.fromAgentId] ?? null)) {
    emit(d, { type: 'CallUnheld', data: { ...base(d), agentId: transfer.fromAgentId, actor: 'system' } });
  }
  emit(d, { type: 'WarmTransferCancelled', data: { ...base(d), transferId: transfer.transferId, target: transfer.target, reason } });
  if (transfer.consultOfferId) {
    const offer = active(d).offers[transfer.consultOfferId];
    for (const agent of offer?.agents ?? []) {
      if (agent.outcome === 'ringing') {
        emit(d, { type: 'OfferCancelled', data: { ...base(d), offerId: transfer.consultOfferId, agentId: agent.agentId, reason: 'transfer-cancelled' } });
        hangupLeg(d, offerLegOf(d.state, transfer.consultOfferId, agent.agentId)?.callControlId ?? null, 'transfer cancelled');
      }
      if (agent.outcome === 'accepted') emit(d, { type: 'AgentDisconnected', data: { ...base(d), agentId: agent.agentId, callControlId: transfer.consultCallControlId, reason: 'consult-ended' } });
    }
  }
  hangupLeg(d, transfer.consultCallControlId, 'transfer cancelled');
  const consultLegs = Object.values(d.state.legs).filter((l) => l.role === 'consult' && l.transferId === transfer.transferId);
  for (const leg of consultLegs) hangupLeg(d, leg.callControlId, 'transfer cancelled');
  const customer = liveLeg(d.state, s.customerCallControlId);
  const agentLeg = liveLeg(d.state, s.agentsOnCall[transfer.fromAgentId] ?? null);
  if (customer) {
    stopAudio(d, customer.callControlId, 'take the caller off hold');
    if (transfer.connected && agentLeg) request(d, customer.callControlId, { action: 'bridge', params: { call_control_id: agentLeg.callControlId, park_after_unbridge: 'self' } }, `reconnect the caller to ${transfer.fromAgentId}`);
  }
  if (Object.keys(active(d).agentsOnCall).length === 0) callerLeftAlone(d, `the transfer was cancelled (${reason}) and no agent is on the call`);
};

const completeWarmTransfer = (d: Draft, why: string): void => {
  const s = active(d);
  if (s.status !== 'Connected' || !s.transfer || !s.transfer.connected || !s.transfer.consultCallControlId) return;
  const transfer = s.transfer;
  const consultLeg = transfer.consultCallControlId ?? '';
  emit(d, { type: 'WarmTransferCompleted', data: { ...base(d), transferId: transfer.transferId, target: transfer.target, fromAgentId: transfer.fromAgentId } });
  const customer = liveLeg(d.state, s.customerCallControlId);
  if (customer) {
    stopAudio(d, customer.callControlId, 'take the caller off hold');
    request(d, customer.callControlId, { action: 'bridge', params: { call_control_id: consultLeg, park_after_unbridge: 'self' } }, `complete the transfer (${why})`);
  }
  if (active(d).agentsOnCall[transfer.fromAgentId]) disconnectAgent(d, transfer.fromAgentId, 'transferred', true);
  if (transfer.target.kind === 'agent') {
    emit(d, {
      type: 'AgentConnected',
      data: { ...base(d), agentId: transfer.target.agentId, callControlId: consultLeg, via: 'transfer', queueId: s.queueId, offerId: transfer.consultOfferId, enqueuedAt: null, waitedSeconds: null },
    });
  } else if (transfer.target.kind === 'number') {
    emit(d, { type: 'CallTransferredOut', data: { ...base(d), transferId: transfer.transferId, number: transfer.target.number, fromAgentId: transfer.fromAgentId } });
  }
};

const E164 = /^\+[1-9][0-9]{6,14}$/;

const validateTarget = (d: Draft, target: TransferTarget, fromAgentId: string): void => {
  switch (target.kind) {
    case 'agent':
      if (target.agentId === fromAgentId) throw new ValidationError('An agent cannot transfer a call to themselves');
      if (!d.config.agents[target.agentId]) throw new ValidationError(`Unknown agent ${target.agentId}`);
      return;
    case 'queue':
      if (!d.config.queues[target.queueId]) throw new ValidationError(`Unknown queue ${target.queueId}`);
      return;
    case 'number':
      if (!E164.test(target.number)) throw new ValidationError(`${target.number} is not an E.164 number`);
      return;
    default: {
      const _exhaustive: never = target;
      return;
    }
  }
};

////////////////////////////////////////// Webhooks

const startInbound = (d: Draft, webhook: TelnyxWebhookData, callControlId: string): void => {
  const to = webhook.payload.to ?? '';
  const numberConfig = numberConfigFor(d.config, to);
  const ready = numberConfig !== undefined && d.config.ivrMenus[numberConfig.entryMenuId] !== undefined && d.config.settings !== null;
  emit(d, {
    type: 'InboundCallStarted',
    data: {
      ...base(d),
      callControlId,
      callLegId: webhook.callLegId ?? webhook.payload.call_leg_id ?? null,
      from: webhook.payload.from ?? '',
      to,
      callerName: webhook.payload.caller_id_name ?? null,
      entryMenuId: numberConfig?.entryMenuId ?? null,
      hoursId: numberConfig?.hoursId ?? null,
    },
  });
  if (!ready || !numberConfig) {
    emit(d, { type: 'CallClosing', data: { ...base(d), outcome: 'rejected', reason: `no IVR is configured for ${to}`, hangupAfterSpeak: false } });
    request(d, callControlId, { action: 'reject', params: { cause: 'CALL_REJECTED' } }, 'number not configured');
    return;
  }
  const hours = d.config.hours[numberConfig.hoursId];
  if (hours) {
    const check = checkBusinessHours(hours, d.at);
    if (!check.open) emit(d, { type: 'CallRoutedAfterHours', data: { ...base(d), hoursId: hours.hoursId, reason: check.reason, voicemail: hours.afterHours.voicemail } });
  }
  // Webhooks are not ordered: the caller's hangup may have been stored (and decided nothing) before call.initiated.
  const leg = d.state.legs[callControlId];
  if (leg?.status === 'ended') return customerHungUp(d, leg);
  request(d, callControlId, { action: 'answer', params: { client_state: encodeClientState({ callId: d.callId, role: 'customer' }) } }, 'answer the inbound call');
};

const startOutbound = (d: Draft, webhook: TelnyxWebhookData, agentCallControlId: string, originatingAgentId: string | null, callBackOf: string | null): void => {
  const destination = webhook.payload.to ?? '';
  const agent = originatingAgentId ? d.config.agents[originatingAgentId] : undefined;
  const settings = d.config.settings;
  const queue = agent && settings ? (queueOf(d, agent.outboundQueueId) ?? queueOf(d, settings.defaultOutboundQueueId)) : undefined;
  const refusal = !agent
    ? 'the calling device belongs to no known agent'
    : !agent.mayCallOut
      ? `agent ${agent.agentId} may not place outbound calls`
      : destination.length === 0
        ? 'no destination'
        : !queue
          ? 'no queue provides a caller id'
          : null;
  if (refusal !== null || !agent || !queue || !settings) {
    const ended = d.state.legs[agentCallControlId]?.status === 'ended';
    if (!ended) request(d, agentCallControlId, { action: 'hangup', params: {} }, `outbound call refused: ${refusal ?? ''}`);
    emit(d, { type: 'OutboundCallRefused', data: { ...base(d), agentId: originatingAgentId, agentCallControlId, destination, reason: refusal ?? 'not configured' } });
    if (ended) endCall(d, 'outbound-refused', d.state.legs[agentCallControlId]);
    return;
  }
  const record = queue.recordPolicy === 'always';
  emit(d, {
    type: 'OutboundCallStarted',
    data: { ...base(d), agentId: agent.agentId, agentCallControlId, destination, callerIdNumber: queue.callerIdNumber, queueId: queue.queueId, record, callBackOf },
  });
  // The agent's leg may have hung up (stored before call.initiated): nothing to dial.
  const agentLeg = d.state.legs[agentCallControlId];
  if (agentLeg?.status === 'ended') return agentLegEnded(d, agentLeg);
  request(
    d,
    null,
    {
      action: 'dial',
      params: {
        to: destination,
        from: queue.callerIdNumber,
        link_to: agentCallControlId,
        bridge_on_answer: true,
        // Kept (parked) when the agent's leg leaves the bridge, so a transfer does not drop the called party.
        park_after_unbridge: 'self',
        timeout_secs: OUTBOUND_RING_SECONDS,
        client_state: encodeClientState({ callId: d.callId, role: 'customer' }),
        custom_headers: headers(d, [[QUEUE_ID_HEADER, queue.queueId]]),
        ...(record ? { record: 'record-from-answer' as const, record_channels: settings.recording.channels, record_format: settings.recording.format } : {}),
      },
    },
    `outbound call from ${agent.agentId} to ${destination}`,
  );
};

const onInitiated = (d: Draft, webhook: TelnyxWebhookData, originatingAgentId: string | null, callBackOf: string | null): void => {
  const callControlId = webhookCallControlId(webhook);
  if (!callControlId) return;
  const clientState = decodeClientState(webhook.payload.client_state);
  if (d.state.status === 'New') {
    if (clientState) return hangupLeg(d, callControlId, 'a callstream leg of no known call');
    if (webhook.payload.direction === 'incoming') return startInbound(d, webhook, callControlId);
    if (webhook.payload.direction === 'outgoing' && (webhook.payload.state ?? 'parked') === 'parked') return startOutbound(d, webhook, callControlId, originatingAgentId, callBackOf);
    return;
  }
  const s = d.state;
  const leg = liveLeg(s, callControlId);
  if (!leg) return;
  if (s.status === 'Ended' && leg.callControlId !== s.customerCallControlId) return hangupLeg(d, callControlId, 'the call has ended');
  switch (leg.role) {
    case 'agent': {
      if (!leg.offerId) return;
      const offered = s.offers[leg.offerId]?.agents.find((a) => a.agentId === leg.agentId);
      if (!offered || (offered.outcome !== 'ringing' && offered.outcome !== 'accepted')) hangupLeg(d, callControlId, `the offer is no longer open for ${leg.agentId ?? 'this agent'}`);
      return;
    }
    case 'supervisor':
      if (!leg.supervisorId || !s.supervisors[leg.supervisorId]) hangupLeg(d, callControlId, 'the supervision has ended');
      return;
    case 'consult':
      if (s.status !== 'Connected' || !s.transfer || s.transfer.transferId !== leg.transferId) hangupLeg(d, callControlId, 'the transfer is no longer pending');
      return;
    case 'customer':
      // A caller dialled for a callback or an outbound call that has since given up on it (the agent left first).
      if (clientState && webhook.payload.direction === 'outgoing' && leg.status === 'initiated' && s.status !== 'CallbackConnecting' && s.status !== 'OutboundDialing') {
        hangupLeg(d, callControlId, 'the call is no longer calling this number');
      }
      return;
    case 'outbound':
      return;
    default: {
      const _exhaustive: never = leg.role;
      return;
    }
  }
};

const afterHours = (d: Draft): void => {
  const s = active(d);
  const hours = s.afterHoursId ? d.config.hours[s.afterHoursId] : undefined;
  const customer = s.customerCallControlId;
  if (!customer) return;
  const language = languageOf(d, s);
  const message = hours ? (hours.afterHours.message[language] ?? hours.afterHours.message[settingsOf(d).defaultLanguage] ?? Object.values(hours.afterHours.message)[0]) : '';
  if (!hours || hours.afterHours.voicemail) return startVoicemail(d, 'after-hours', hours?.afterHours.voicemailQueueId ?? null, message);
  emit(d, { type: 'CallClosing', data: { ...base(d), outcome: 'after-hours', reason: 'closed, no voicemail after hours', hangupAfterSpeak: true } });
  speak(d, customer, `${message} ${promptsOf(d).goodbye}`, 'after-hours message');
};

const onAnswered = (d: Draft, webhook: TelnyxWebhookData): void => {
  if (d.state.status === 'New') return;
  const s = d.state;
  const callControlId = webhookCallControlId(webhook);
  const leg = liveLeg(s, callControlId);
  if (!leg) return;
  switch (leg.role) {
    case 'customer': {
      if (leg.callControlId !== s.customerCallControlId) return;
      if (s.status === 'CallbackWaiting') return hangupLeg(d, leg.callControlId, 'the callback waits for another agent');
      if (s.status === 'Answering') {
        emit(d, { type: 'CallAnswered', data: { ...base(d), callControlId: leg.callControlId } });
        if (s.route === 'after-hours') return afterHours(d);
        return presentMenu(d, s.entryMenuId ?? '', 1, 'entry');
      }
      if (s.status === 'CallbackConnecting' && s.agentId && s.agentCallControlId) {
        const entry = s.entry;
        emit(d, {
          type: 'AgentConnected',
          data: {
            ...base(d),
            agentId: s.agentId,
            callControlId: s.agentCallControlId,
            via: 'callback',
            queueId: entry?.queueId ?? null,
            offerId: s.offerId,
            enqueuedAt: entry?.enqueuedAt ?? null,
            waitedSeconds: entry ? secondsBetween(entry.enqueuedAt, d.at) : null,
          },
        });
        return recordPerPolicy(d);
      }
      if (s.status === 'OutboundDialing' && s.agentId && s.agentCallControlId) {
        emit(d, { type: 'AgentConnected', data: { ...base(d), agentId: s.agentId, callControlId: s.agentCallControlId, via: 'outbound', queueId: s.queueId, offerId: null, enqueuedAt: null, waitedSeconds: null } });
        if (s.recordFromAnswer) {
          const { format, channels } = settingsOf(d).recording;
          emit(d, { type: 'RecordingStarted', data: { ...base(d), callControlId: leg.callControlId, format, channels, reason: 'outbound dial records from answer' } });
        }
      }
      return;
    }
    case 'agent':
      return agentAnswered(d, leg);
    case 'supervisor': {
      const supervision = leg.supervisorId ? s.supervisors[leg.supervisorId] : undefined;
      if (!supervision) return hangupLeg(d, leg.callControlId, 'the supervision has ended');
      if (!supervision.joined) emit(d, { type: 'SupervisorJoined', data: { ...base(d), supervisorId: supervision.supervisorId, callControlId: leg.callControlId } });
      return;
    }
    case 'consult': {
      if (s.status !== 'Connected' || !s.transfer || s.transfer.transferId !== leg.transferId || s.transfer.connected) return hangupLeg(d, leg.callControlId, 'the transfer is no longer pending');
      const transfer = s.transfer;
      emit(d, { type: 'ConsultationConnected', data: { ...base(d), transferId: transfer.transferId, target: transfer.target, callControlId: leg.callControlId } });
      const fromLeg = liveLeg(d.state, s.agentsOnCall[transfer.fromAgentId] ?? null);
      if (fromLeg) request(d, fromLeg.callControlId, { action: 'bridge', params: { call_control_id: leg.callControlId, park_after_unbridge: 'self' } }, `consult: ${transfer.fromAgentId} with the transfer target`);
      else completeWarmTransfer(d, `${transfer.fromAgentId} left before the target answered`);
      return;
    }
    case 'outbound':
      return;
    default: {
      const _exhaustive: never = leg.role;
      return;
    }
  }
};

const customerHungUp = (d: Draft, leg: Leg): void => {
  const s = active(d);
  switch (s.status) {
    case 'Answering':
      return endCall(d, s.route === 'after-hours' ? 'after-hours' : 'abandoned-in-ivr', leg);
    case 'Ivr':
      return endCall(d, 'abandoned-in-ivr', leg);
    case 'Queued':
    case 'Offering':
      // A caller who asked to be called back keeps the place (and an offer already ringing) after leaving.
      if (s.entry?.kind === 'callback') return;
      cancelOpenOffer(d, 'caller-hung-up');
      leaveQueue(d, 'abandoned', null);
      return endCall(d, 'abandoned', leg);
    case 'CallbackWaiting':
      return;
    case 'CallbackConnecting': {
      const agentId = s.agentId;
      if (agentId) {
        emit(d, { type: 'CallbackAttemptFailed', data: { ...base(d), entryId: s.entry?.entryId ?? '', agentId, number: s.entry?.callbackNumber ?? s.from, reason: leg.hangupCause ?? 'no answer' } });
        emit(d, { type: 'AgentDisconnected', data: { ...base(d), agentId, callControlId: s.agentCallControlId, reason: 'callback-failed' } });
      }
      hangupLeg(d, s.agentCallControlId, 'the callback was not answered');
      return endCall(d, 'callback-failed', leg);
    }
    case 'OutboundDialing': {
      if (s.agentId) emit(d, { type: 'AgentDisconnected', data: { ...base(d), agentId: s.agentId, callControlId: s.agentCallControlId, reason: 'outbound-failed' } });
      hangupLeg(d, s.agentCallControlId, 'the destination did not answer');
      return endCall(d, 'outbound-failed', leg);
    }
    case 'Connected': {
      for (const agentId of Object.keys(s.agentsOnCall)) disconnectAgent(d, agentId, 'customer-hung-up', true);
      if (s.transfer) cancelWarmTransfer(d, 'the caller hung up');
      return endCall(d, s.direction === 'outbound' ? 'outbound-completed' : 'completed', leg);
    }
    case 'TransferredOut':
      return endCall(d, 'transferred', leg);
    case 'Voicemail':
      return endCall(d, 'voicemail', leg);
    case 'Closing':
      return endCall(d, s.outcome, leg);
    case 'Ended':
      return;
    default: {
      const _exhaustive: never = s;
      return;
    }
  }
};

const requeueCallback = (d: Draft): void => {
  const s = active(d);
  if (!s.entry) return;
  emit(d, {
    type: 'CallQueued',
    data: {
      ...base(d),
      entryId: deterministicId('entry', d.callId, d.causeId, s.entry.queueId),
      queueId: s.entry.queueId,
      kind: 'callback',
      priority: s.entry.priority,
      enqueuedAt: s.entry.enqueuedAt,
      queueEnteredAt: d.at,
      attributes: s.entry.attributes,
      reason: 'callback',
      fromQueueId: null,
      targetAgentId: null,
      callbackNumber: s.entry.callbackNumber,
      deadlines: s.entry.deadlines,
      nextAnnouncementAt: null,
    },
  });
};

const agentLegEnded = (d: Draft, leg: Leg): void => {
  const s = active(d);
  const agentId = leg.agentId ?? (leg.callControlId === s.agentCallControlId ? s.agentId : null);
  if (leg.offerId && agentId) {
    const offer = s.offers[leg.offerId];
    const offered = offer?.agents.find((a) => a.agentId === agentId);
    if (offer && offered && offered.outcome === 'ringing') {
      const verdict = classifyUnansweredHangup(leg);
      if (verdict.kind === 'rejected') emit(d, { type: 'OfferRejected', data: { ...base(d), offerId: offer.offerId, agentId, reason: verdict.reason } });
      else emit(d, { type: 'OfferMissed', data: { ...base(d), offerId: offer.offerId, agentId, reason: verdict.reason } });
      return closeOfferIfDone(d, offer.offerId);
    }
  }
  if (s.status === 'Connected' && s.transfer && s.transfer.consultCallControlId === leg.callControlId) return cancelWarmTransfer(d, 'the consulted agent hung up');
  if (agentId && s.agentsOnCall[agentId] === leg.callControlId) {
    if (s.status === 'Connected' && s.transfer && s.transfer.fromAgentId === agentId && s.transfer.connected) return completeWarmTransfer(d, 'the transferring agent hung up');
    disconnectAgent(d, agentId, 'agent-hung-up', false);
    if (s.status === 'Connected' && Object.keys(active(d).agentsOnCall).length === 0 && !s.transfer) hangupLeg(d, s.customerCallControlId, `${agentId} hung up`);
    return;
  }
  if (s.status === 'CallbackConnecting' && leg.callControlId === s.agentCallControlId && agentId) {
    emit(d, { type: 'AgentDisconnected', data: { ...base(d), agentId, callControlId: leg.callControlId, reason: 'agent-hung-up' } });
    hangupLeg(d, s.customerCallControlId, 'the agent hung up before the callback connected');
    return requeueCallback(d);
  }
  if (s.status === 'OutboundDialing' && leg.callControlId === s.agentCallControlId) {
    if (agentId) emit(d, { type: 'AgentDisconnected', data: { ...base(d), agentId, callControlId: leg.callControlId, reason: 'agent-hung-up' } });
    hangupLeg(d, s.customerCallControlId, 'the agent cancelled the outbound call');
    return endCall(d, 'outbound-failed', leg);
  }
  if (s.status === 'Closing' && s.outcome === 'outbound-refused' && leg.callControlId === s.agentCallControlId) return endCall(d, 'outbound-refused', leg);
};

const onHangup = (d: Draft, webhook: TelnyxWebhookData): void => {
  if (d.state.status === 'New') return;
  const s = d.state;
  const callControlId = webhookCallControlId(webhook);
  const leg = callControlId ? s.legs[callControlId] : undefined;
  if (!leg) return;
  switch (leg.role) {
    case 'customer':
      if (leg.callControlId === s.customerCallControlId) customerHungUp(d, leg);
      return;
    case 'agent':
      return agentLegEnded(d, leg);
    case 'supervisor':
      if (leg.supervisorId && s.supervisors[leg.supervisorId]) emit(d, { type: 'SupervisionEnded', data: { ...base(d), supervisorId: leg.supervisorId, reason: 'the supervisor hung up' } });
      return;
    case 'consult':
      if (s.status === 'Connected' && s.transfer && s.transfer.transferId === leg.transferId) return cancelWarmTransfer(d, leg.answeredAt ? 'the transfer target hung up' : 'the transfer target did not answer');
      if (s.status === 'TransferredOut') hangupLeg(d, s.customerCallControlId, 'the transfer target hung up');
      return;
    case 'outbound':
      if (s.status === 'TransferredOut') hangupLeg(d, s.customerCallControlId, 'the transfer target hung up');
      return;
    default: {
      const _exhaustive: never = leg.role;
      return;
    }
  }
};

const onEnqueued = (d: Draft, webhook: TelnyxWebhookData): void => {
  const s = d.state;
  if ((s.status !== 'Queued' && s.status !== 'Offering') || !s.entry || s.entry.welcomed) return;
  const customer = liveLeg(s, webhookCallControlId(webhook));
  if (!customer || customer.callControlId !== s.customerCallControlId) return;
  speak(d, customer.callControlId, promptsOf(d).queueWelcome, `welcome to queue ${s.entry.queueId}`);
};

const onSpeakEnded = (d: Draft, webhook: TelnyxWebhookData): void => {
  const s = d.state;
  if (s.status === 'New' || webhook.payload.status === 'call_hangup') return;
  const customer = liveLeg(s, webhookCallControlId(webhook));
  if (!customer || customer.callControlId !== s.customerCallControlId) return;
  switch (s.status) {
    case 'Queued':
    case 'Offering':
      if (s.entry?.kind === 'callback') return hangupLeg(d, customer.callControlId, 'callback confirmed');
      if (s.announcing) holdMusic(d, 'hold music while waiting');
      return;
    case 'CallbackWaiting':
      return hangupLeg(d, customer.callControlId, 'callback confirmed');
    case 'Voicemail': {
      if (s.stage === 'prompt') {
        const { format, maxLengthSeconds, silenceTimeoutSeconds } = settingsOf(d).voicemail;
        request(d, customer.callControlId, { action: 'record_start', params: { format, channels: 'single', play_beep: true, max_length: maxLengthSeconds, timeout_secs: silenceTimeoutSeconds } }, 'record the voicemail');
      } else if (s.stage === 'thanks') {
        hangupLeg(d, customer.callControlId, 'voicemail recorded');
      }
      return;
    }
    case 'Closing':
      if (s.hangupAfterSpeak) hangupLeg(d, customer.callControlId, `closing: ${s.outcome}`);
      return;
    default:
      return;
  }
};

const onDtmf = (d: Draft, webhook: TelnyxWebhookData): void => {
  const s = d.state;
  if ((s.status !== 'Queued' && s.status !== 'Offering') || webhookCallControlId(webhook) !== s.customerCallControlId || !d.config.settings) return;
  const digit = webhook.payload.digit;
  const digits = d.config.settings.queuedCallerDigits;
  if (digit === digits.callback) return requestCallback(d, 'queue-digit');
  if (digit === digits.voicemail) return startVoicemail(d, 'caller-choice', s.entry?.queueId ?? null, undefined);
};

const onRecordingSaved = (d: Draft, webhook: TelnyxWebhookData): void => {
  if (d.state.status === 'New') return;
  const s = d.state;
  const p = webhook.payload;
  const recordingId = p.recording_id ?? deterministicId('recording', webhook.webhookId);
  const startedAt = p.recording_started_at ?? null;
  const requestedAt = s.voicemail?.recordingRequestedAt;
  const startedBeforeRequest = startedAt !== null && requestedAt !== undefined && Date.parse(startedAt) < Date.parse(requestedAt);
  const isVoicemail = s.voicemail !== null && s.voicemail.recordingRequested && s.voicemail.recordingId === null && !startedBeforeRequest;
  const endedAt = p.recording_ended_at ?? null;
  const durationSeconds = startedAt && endedAt ? secondsBetween(startedAt, endedAt) : null;
  emit(d, {
    type: 'RecordingDownloadRequested',
    data: {
      ...base(d),
      recordingId,
      kind: isVoicemail ? 'voicemail' : 'call',
      callLegId: webhook.callLegId ?? p.call_leg_id ?? null,
      channels: p.channels ?? null,
      urls: { mp3: p.recording_urls?.mp3 ?? null, wav: p.recording_urls?.wav ?? null },
      startedAt,
      endedAt,
      durationSeconds,
    },
  });
  if (!isVoicemail) return;
  emit(d, { type: 'VoicemailRecorded', data: { ...base(d), recordingId, queueId: s.voicemail?.queueId ?? null, from: s.from, durationSeconds } });
  const customer = liveLeg(d.state, s.customerCallControlId);
  if (d.state.status === 'Voicemail' && customer) speak(d, customer.callControlId, promptsOf(d).voicemailThanks, 'thank the caller');
};

const onTranscription = (d: Draft, webhook: TelnyxWebhookData): void => {
  const data = webhook.payload.transcription_data;
  const callControlId = webhookCallControlId(webhook);
  if (d.state.status === 'New' || !data?.is_final || !data.transcript || !callControlId) return;
  const track = data.transcription_track === 'inbound' || data.transcription_track === 'outbound' ? data.transcription_track : null;
  emit(d, { type: 'TranscriptReceived', data: { ...base(d), callControlId, track, text: data.transcript, confidence: data.confidence ?? null } });
};

const handleWebhook = (d: Draft, command: HandleWebhook): void => {
  const webhook = command.data.webhook;
  if (!d.state.seenWebhooks.has(webhook.webhookId)) {
    const session = webhook.callSessionId ?? webhook.payload.call_session_id ?? null;
    if (session !== null && session !== d.callId) emit(d, { type: 'TelnyxWebhookLinked', data: { ...webhook, linkedFromStreamId: callStreamId(session) } });
    else d.state = foldWebhook(d.state, webhook);
  }
  switch (webhook.eventType) {
    case 'call.initiated':
      return onInitiated(d, webhook, command.data.originatingAgentId ?? null, command.data.callBackOf ?? null);
    case 'call.answered':
      return onAnswered(d, webhook);
    case 'call.hangup':
      return onHangup(d, webhook);
    case 'call.gather.ended':
      return onGatherEnded(d, webhook);
    case 'call.enqueued':
      return onEnqueued(d, webhook);
    case 'call.speak.ended':
      return onSpeakEnded(d, webhook);
    case 'call.dtmf.received':
      return onDtmf(d, webhook);
    case 'call.recording.saved':
      return onRecordingSaved(d, webhook);
    case 'call.transcription':
      return onTranscription(d, webhook);
    default:
      return;
  }
};

////////////////////////////////////////// Commands

const checkQueueTimers = (d: Draft, position: number | undefined, ewtSeconds: number | undefined): void => {
  const s = active(d);
  if ((s.status !== 'Queued' && s.status !== 'Offering' && s.status !== 'CallbackWaiting') || !s.entry?.waiting) return;
  const entry = s.entry;
  if (entry.kind === 'call' && d.at >= entry.deadlines.maxWaitAt) {
    const prompts = promptsOf(d);
    if (entry.deadlines.onMaxWait === 'voicemail') return startVoicemail(d, 'max-wait', entry.queueId, prompts.maxWaitReached);
    cancelOpenOffer(d, 'call-left-queue');
    leaveQueue(d, 'max-wait', null);
    emit(d, { type: 'CallClosing', data: { ...base(d), outcome: 'max-wait', reason: `waited past the maximum of queue ${entry.queueId}`, hangupAfterSpeak: true } });
    const customer = liveLeg(d.state, s.customerCallControlId);
    if (customer) {
      stopAudio(d, customer.callControlId, 'max wait reached');
      speak(d, customer.callControlId, `${prompts.maxWaitReached} ${prompts.goodbye}`, 'max wait reached');
    }
    return;
  }
  const due = entry.deadlines.overflow.filter((tier) => tier.at <= d.at);
  if (due.length > 0) {
    cancelOpenOffer(d, 'call-left-queue');
    return enqueue(d, due[due.length - 1].targetQueueId, 'overflow', {});
  }
  if (entry.kind === 'call' && s.status !== 'CallbackWaiting' && !s.announcing && entry.nextAnnouncementAt !== null && d.at >= entry.nextAnnouncementAt && position !== undefined) {
    announcePosition(d, position, ewtSeconds ?? 0);
  }
};

const recordCommandOutcome = (d: Draft, data: Extract<CallCommand, { type: 'RecordCommandOutcome' }>['data']): void => {
  const s = active(d);
  if (data.ok) {
    emit(d, { type: 'TelnyxCommandAccepted', data: { ...base(d), commandId: data.commandId, action: data.action, result: data.result ?? {} } });
    return;
  }
  const error = data.error ?? { status: null, code: null, title: 'unknown error' };
  const legGone = error.code === '90018';
  emit(d, { type: 'TelnyxCommandFailed', data: { ...base(d), commandId: data.commandId, action: data.action, error, legGone } });
  // A blind transfer to a number that Telnyx refused: the agent has already left, so the caller goes back to the queue.
  if (!legGone && data.action === 'transfer' && s.status === 'TransferredOut') return callerLeftAlone(d, `the transfer was refused: ${error.title}`);
  // The voicemail could not be recorded: the caller is told goodbye rather than left in silence.
  if (!legGone && data.action === 'record_start' && s.status === 'Voicemail' && s.stage === 'recording') {
    const customer = liveLeg(d.state, s.customerCallControlId);
    if (customer) closeWithGoodbye(d, customer.callControlId, 'voicemail', `the voicemail could not be recorded: ${error.title}`, 'the voicemail could not be recorded');
    return;
  }
  const dialled = data.action === 'dial' ? s.dials[data.commandId] : undefined;
  if (!dialled) return;
  switch (dialled.role) {
    case 'agent': {
      const offerId = dialled.offerId;
      const agentId = dialled.agentId;
      const offered = offerId ? active(d).offers[offerId]?.agents.find((a) => a.agentId === agentId) : undefined;
      if (offerId && agentId && offered?.outcome === 'ringing') {
        emit(d, { type: 'OfferMissed', data: { ...base(d), offerId, agentId, reason: 'dial-failed' } });
        closeOfferIfDone(d, offerId);
      }
      return;
    }
    case 'customer': {
      // The dial is linked to the agent's leg: refused as gone, the agent left before the caller was dialled.
      if (s.status === 'CallbackConnecting' && s.agentId && legGone) {
        disconnectAgentById(d, s.agentId, s.agentCallControlId, 'agent-hung-up');
        return requeueCallback(d);
      }
      if (s.status === 'CallbackConnecting' && s.agentId) {
        emit(d, { type: 'CallbackAttemptFailed', data: { ...base(d), entryId: s.entry?.entryId ?? '', agentId: s.agentId, number: s.entry?.callbackNumber ?? s.from, reason: error.title } });
        disconnectAgentById(d, s.agentId, s.agentCallControlId, 'callback-failed');
        return endCall(d, 'callback-failed', undefined);
      }
      if (s.status === 'OutboundDialing' && s.agentId) {
        disconnectAgentById(d, s.agentId, s.agentCallControlId, 'outbound-failed');
        return endCall(d, 'outbound-failed', undefined);
      }
      return;
    }
    case 'supervisor':
      if (dialled.supervisorId && s.supervisors[dialled.supervisorId]) emit(d, { type: 'SupervisionEnded', data: { ...base(d), supervisorId: dialled.supervisorId, reason: `dial failed: ${error.title}` } });
      return;
    case 'consult':
      return cancelWarmTransfer(d, `dial failed: ${error.title}`);
    case 'outbound':
      return;
    default: {
      const _exhaustive: never = dialled.role;
      return;
    }
  }
};

/** Nobody is left with the caller (the agents gone, no transfer going on): back to the queue, or goodbye. */
const callerLeftAlone = (d: Draft, why: string): void => {
  const s = active(d);
  const customer = liveLeg(d.state, s.customerCallControlId);
  if (!customer) return;
  const queueId = s.queueId ?? s.entry?.queueId ?? null;
  if (s.direction === 'inbound' && queueId && queueOf(d, queueId)) return enqueue(d, queueId, 'transfer', {});
  closeWithGoodbye(d, customer.callControlId, s.direction === 'outbound' ? 'outbound-completed' : 'completed', why, why);
};

const disconnectAgentById = (d: Draft, agentId: string, callControlId: string | null, reason: AgentDisconnected['data']['reason']): void => {
  emit(d, { type: 'AgentDisconnected', data: { ...base(d), agentId, callControlId, reason } });
  hangupLeg(d, callControlId, reason);
};

const decideCommand = (d: Draft, command: CallCommand): void => {
  switch (command.type) {
    case 'HandleWebhook':
      return handleWebhook(d, command);
    case 'RecordCallerIdentity':
      active(d);
      emit(d, { type: 'CallerIdentified', data: { ...base(d), ...command.data } });
      return;
    case 'RecordRoutingDecision': {
      const s = active(d);
      const decision = command.data.decision;
      if (!s.entry?.waiting || s.entry.entryId !== decision.entryId || (s.status !== 'Queued' && s.status !== 'CallbackWaiting')) return;
      if (decision.chosen.length === 0 && (decision.waitingReason ?? null) === s.entry.lastWaitingReason) return;
      emit(d, { type: 'RoutingDecisionMade', data: { ...base(d), ...decision, callId: d.callId } });
      return;
    }
    case 'OfferCall':
      return offerCall(d, command);
    case 'ExpireOffer': {
      const s = active(d);
      const offer = s.offers[command.data.offerId];
      if (!offer || !offer.open || d.at < offer.expiresAt) return;
      for (const agent of offer.agents.filter((a) => a.outcome === 'ringing')) {
        emit(d, { type: 'OfferMissed', data: { ...base(d), offerId: offer.offerId, agentId: agent.agentId, reason: 'no-answer' } });
        hangupLeg(d, offerLegOf(d.state, offer.offerId, agent.agentId)?.callControlId ?? null, 'offer timed out');
      }
      return closeOfferIfDone(d, offer.offerId);
    }
    case 'AnnounceQueuePosition': {
      const s = active(d);
      if ((s.status !== 'Queued' && s.status !== 'Offering') || !s.entry?.waiting) return;
      return announcePosition(d, command.data.position, command.data.ewtSeconds);
    }
    case 'CheckQueueTimers':
      return checkQueueTimers(d, command.data.position, command.data.ewtSeconds);
    case 'RecordCommandOutcome':
      return recordCommandOutcome(d, command.data);
    case 'RecordRecordingStored': {
      const s = active(d);
      const kind = s.voicemail?.recordingId === command.data.recordingId ? 'voicemail' : 'call';
      emit(d, { type: 'RecordingStored', data: { ...base(d), ...command.data, kind } });
      return;
    }
    case 'RecordRecordingDownloadFailed':
      active(d);
      emit(d, { type: 'RecordingDownloadFailed', data: { ...base(d), ...command.data } });
      return;
    case 'RejectOffer': {
      const s = active(d);
      const offer = s.offers[command.data.offerId];
      if (!offer) throw new NotFoundError(`Offer ${command.data.offerId} is not on call ${s.callId}`);
      const offered = offer.agents.find((a) => a.agentId === command.data.agentId);
      if (!offered) throw new IllegalStateError(`Offer ${offer.offerId} was not made to ${command.data.agentId}`);
      if (offered.outcome === 'rejected') return;
      if (offered.outcome !== 'ringing') throw new IllegalStateError(`Offer ${offer.offerId} to ${offered.agentId} is already ${offered.outcome}`);
      emit(d, { type: 'OfferRejected', data: { ...base(d), offerId: offer.offerId, agentId: offered.agentId, reason: 'rejected in the console' } });
      hangupLeg(d, offerLegOf(d.state, offer.offerId, offered.agentId)?.callControlId ?? null, 'offer rejected');
      return closeOfferIfDone(d, offer.offerId);
    }
    case 'Hold': {
      const s = requireConnected(d.state, 'hold');
      requireAgentOnCall(s, command.data.agentId);
      if (s.transfer) throw new IllegalStateError('The caller is already on hold for a transfer');
      if (s.held) return;
      emit(d, { type: 'CallHeld', data: { ...base(d), agentId: command.data.agentId, actor: d.actor } });
      return holdMusic(d, 'hold');
    }
    case 'Unhold': {
      const s = requireConnected(d.state, 'unhold');
      requireAgentOnCall(s, command.data.agentId);
      if (!s.held || s.transfer) return;
      emit(d, { type: 'CallUnheld', data: { ...base(d), agentId: command.data.agentId, actor: d.actor } });
      return stopAudio(d, s.customerCallControlId, 'unhold');
    }
    case 'BlindTransfer': {
      const s = requireConnected(d.state, 'transfer');
      const { agentId, target } = command.data;
      requireAgentOnCall(s, agentId);
      if (s.transfer) throw new IllegalStateError('A transfer is already in progress');
      validateTarget(d, target, agentId);
      const transferId = deterministicId('transfer', d.callId, d.causeId);
      emit(d, { type: 'CallTransferRequested', data: { ...base(d), transferId, kind: 'blind', target, fromAgentId: agentId } });
      if (target.kind === 'number') {
        const queue = currentQueue(d);
        if (s.customerCallControlId) {
          request(
            d,
            s.customerCallControlId,
            {
              action: 'transfer',
              params: {
                to: target.number,
                from: queue?.callerIdNumber ?? s.to,
                timeout_secs: TRANSFER_RING_SECONDS,
                target_leg_client_state: encodeClientState({ callId: d.callId, role: 'outbound', transferId }),
                custom_headers: headers(d, []),
              },
            },
            `blind transfer to ${target.number}`,
          );
        }
        disconnectAgent(d, agentId, 'transferred', true);
        emit(d, { type: 'CallTransferredOut', data: { ...base(d), transferId, number: target.number, fromAgentId: agentId } });
        return;
      }
      disconnectAgent(d, agentId, 'transferred', true);
      if (target.kind === 'queue') return enqueue(d, target.queueId, 'transfer', {});
      const queueId = s.queueId ?? s.entry?.queueId ?? settingsOf(d).defaultOutboundQueueId;
      return enqueue(d, queueId, 'transfer', { targetAgentId: target.agentId });
    }
    case 'WarmTransfer': {
      const s = requireConnected(d.state, 'transfer');
      const { agentId, target } = command.data;
      requireAgentOnCall(s, agentId);
      if (s.transfer) throw new IllegalStateError('A transfer is already in progress');
      validateTarget(d, target, agentId);
      const transferId = deterministicId('transfer', d.callId, d.causeId);
      emit(d, { type: 'CallTransferRequested', data: { ...base(d), transferId, kind: 'warm', target, fromAgentId: agentId } });
      holdMusic(d, 'hold the caller during the consultation');
      if (target.kind === 'number' && s.customerCallControlId) {
        const queue = currentQueue(d);
        request(
          d,
          null,
          {
            action: 'dial',
            params: {
              to: target.number,
              from: queue?.callerIdNumber ?? s.to,
              link_to: s.customerCallControlId,
              park_after_unbridge: 'self',
              timeout_secs: TRANSFER_RING_SECONDS,
              client_state: encodeClientState({ callId: d.callId, role: 'consult', transferId }),
              custom_headers: headers(d, []),
            },
          },
          `consult ${target.number}`,
        );
      }
      return;
    }
    case 'CompleteTransfer': {
      const s = requireConnected(d.state, 'complete a transfer');
      if (!s.transfer || s.transfer.fromAgentId !== command.data.agentId) throw new IllegalStateError(`Agent ${command.data.agentId} has no transfer in progress`);
      if (!s.transfer.connected) throw new IllegalStateError('The transfer target has not answered yet');
      return completeWarmTransfer(d, 'completed by the agent');
    }
    case 'CancelTransfer': {
      const s = requireConnected(d.state, 'cancel a transfer');
      if (!s.transfer) return;
      if (command.data.agentId !== undefined && s.transfer.fromAgentId !== command.data.agentId) throw new IllegalStateError(`Agent ${command.data.agentId} has no transfer in progress`);
      return cancelWarmTransfer(d, command.data.reason);
    }
    case 'StartRecording': {
      requireConnected(d.state, 'record');
      const queue = currentQueue(d);
      if (queue?.recordPolicy === 'never') throw new IllegalStateError(`Queue ${queue.queueId} never records calls`);
      return startRecording(d, `requested by ${d.actor}`);
    }
    case 'PauseRecording': {
      const s = active(d);
      if (!s.recording || s.recording.status === 'stopped') throw new IllegalStateError('The call is not being recorded');
      if (s.recording.status === 'paused') return;
      emit(d, { type: 'RecordingPaused', data: { ...base(d), callControlId: s.recording.callControlId, actor: d.actor } });
      request(d, s.recording.callControlId, { action: 'record_pause', params: {} }, `paused by ${d.actor}`);
      return;
    }
    case 'ResumeRecording': {
      const s = active(d);
      if (!s.recording || s.recording.status === 'stopped') throw new IllegalStateError('The call is not being recorded');
      if (s.recording.status === 'recording') return;
      emit(d, { type: 'RecordingResumed', data: { ...base(d), callControlId: s.recording.callControlId, actor: d.actor } });
      request(d, s.recording.callControlId, { action: 'record_resume', params: {} }, `resumed by ${d.actor}`);
      return;
    }
    case 'StopRecording': {
      const s = active(d);
      if (!s.recording || s.recording.status === 'stopped') return;
      emit(d, { type: 'RecordingStopped', data: { ...base(d), callControlId: s.recording.callControlId, actor: d.actor } });
      request(d, s.recording.callControlId, { action: 'record_stop', params: {} }, `stopped by ${d.actor}`);
      return;
    }
    case 'StartTranscription': {
      const s = requireConnected(d.state, 'transcribe');
      if (s.transcription || !s.customerCallControlId) return;
      const language = languageOf(d, s, command.data.language);
      emit(d, { type: 'TranscriptionStarted', data: { ...base(d), callControlId: s.customerCallControlId, language, actor: d.actor } });
      request(
        d,
        s.customerCallControlId,
        { action: 'transcription_start', params: { transcription_engine: 'Telnyx', transcription_engine_config: { transcription_engine: 'Telnyx', language: transcriptionLanguageFor(language) }, transcription_tracks: 'both' } },
        `transcription requested by ${d.actor}`,
      );
      return;
    }
    case 'StopTranscription': {
      const s = active(d);
      if (!s.transcription) return;
      emit(d, { type: 'TranscriptionStopped', data: { ...base(d), callControlId: s.transcription.callControlId, actor: d.actor } });
      request(d, s.transcription.callControlId, { action: 'transcription_stop', params: {} }, `transcription stopped by ${d.actor}`);
      return;
    }
    case 'Announce': {
      const s = requireConnected(d.state, 'announce');
      const text = command.data.text.trim();
      if (text.length === 0 || text.length > 3000) throw new ValidationError('An announcement is 1 to 3000 characters');
      if (!s.customerCallControlId) throw new IllegalStateError('The call has no customer leg');
      const language = languageOf(d, s, command.data.language);
      emit(d, { type: 'AnnouncementMade', data: { ...base(d), text, language, target: command.data.target, actor: d.actor } });
      const legs = command.data.target === 'customer' ? 'self' : command.data.target === 'agent' ? 'opposite' : 'both';
      return speak(d, s.customerCallControlId, text, `announcement by ${d.actor}`, legs, language);
    }
    case 'SendDtmf': {
      const s = requireConnected(d.state, 'send DTMF');
      const leg = requireAgentOnCall(s, command.data.agentId);
      if (!/^[0-9A-D*#wW]{1,64}$/.test(command.data.digits)) throw new ValidationError('DTMF digits are 0-9, A-D, *, #, w and W');
      emit(d, { type: 'DtmfSent', data: { ...base(d), digits: command.data.digits, actor: d.actor } });
      request(d, leg, { action: 'send_dtmf', params: { digits: command.data.digits, duration_millis: 250 } }, `DTMF from ${command.data.agentId}`);
      return;
    }
    case 'Hangup': {
      const s = active(d);
      if (s.status === 'Ended') return;
      emit(d, { type: 'HangupRequested', data: { ...base(d), actor: d.actor, reason: command.data.reason } });
      // A callback not connected yet (waiting, offered, or dialling the caller) is cancelled, not re-queued.
      if (s.entry?.kind === 'callback' && (s.status === 'CallbackWaiting' || s.status === 'Offering' || s.status === 'CallbackConnecting')) {
        cancelOpenOffer(d, 'call-left-queue');
        if (s.status === 'CallbackConnecting' && s.agentId) emit(d, { type: 'AgentDisconnected', data: { ...base(d), agentId: s.agentId, callControlId: s.agentCallControlId, reason: 'call-ended' } });
        leaveQueue(d, 'hung-up', null);
        hangupLeg(d, s.customerCallControlId, `callback cancelled by ${d.actor}`);
        return endCall(d, 'abandoned', undefined);
      }
      const customer = liveLeg(s, s.customerCallControlId);
      if (customer) return hangupLeg(d, customer.callControlId, `hung up by ${d.actor}`);
      for (const leg of Object.values(s.legs)) hangupLeg(d, leg.callControlId, `hung up by ${d.actor}`);
      return;
    }
    case 'Supervise': {
      const s = requireConnected(d.state, 'supervise');
      const { supervisorId, sipUsername, mode } = command.data;
      if (s.supervisors[supervisorId]) throw new IllegalStateError(`${supervisorId} already supervises this call`);
      const agentLeg = liveLeg(s, s.agentCallControlId);
      if (!agentLeg || !s.agentId) throw new IllegalStateError('No agent is on the call');
      emit(d, { type: 'SupervisionStarted', data: { ...base(d), supervisorId, mode, sipUsername, agentId: s.agentId } });
      request(
        d,
        null,
        {
          action: 'dial',
          params: {
            to: sipUri(d, sipUsername),
            from: s.from,
            from_display_name: `${mode}: ${s.agentId}`.slice(0, 128),
            link_to: s.customerCallControlId ?? undefined,
            supervise_call_control_id: agentLeg.callControlId,
            supervisor_role: mode,
            timeout_secs: TRANSFER_RING_SECONDS,
            client_state: encodeClientState({ callId: d.callId, role: 'supervisor', supervisorId }),
            custom_headers: headers(d, []),
          },
        },
        `${supervisorId} ${mode}s ${s.agentId}`,
      );
      return;
    }
    case 'SwitchSupervisorRole': {
      const s = active(d);
      const supervision = s.supervisors[command.data.supervisorId];
      if (!supervision) throw new IllegalStateError(`${command.data.supervisorId} does not supervise this call`);
      if (supervision.mode === command.data.mode) return;
      if (!supervision.joined || !supervision.callControlId) throw new IllegalStateError(`${supervision.supervisorId} has not joined the call yet`);
      emit(d, { type: 'SupervisorRoleSwitched', data: { ...base(d), supervisorId: supervision.supervisorId, from: supervision.mode, to: command.data.mode } });
      request(d, supervision.callControlId, { action: 'switch_supervisor_role', params: { role: command.data.mode } }, `${supervision.supervisorId} switches to ${command.data.mode}`);
      return;
    }
    case 'EndSupervision': {
      const s = active(d);
      const supervision = s.supervisors[command.data.supervisorId];
      if (!supervision) return;
      emit(d, { type: 'SupervisionEnded', data: { ...base(d), supervisorId: supervision.supervisorId, reason: 'ended by the supervisor' } });
      const leg = supervision.callControlId ?? Object.values(s.legs).find((l) => l.supervisorId === supervision.supervisorId)?.callControlId ?? null;
      return hangupLeg(d, leg, 'supervision ended');
    }
    case 'RequestCallback':
      return requestCallback(d, 'api');
    case 'LeaveVoicemail': {
      const s = active(d);
      if ((s.status !== 'Queued' && s.status !== 'Offering') || !liveLeg(s, s.customerCallControlId)) throw new IllegalStateError(`Call ${s.callId} cannot go to voicemail (${s.status})`);
      return startVoicemail(d, 'requested', s.entry?.queueId ?? null, undefined);
    }
    case 'CompleteWrapUp': {
      const s = active(d);
      if (!s.handledBy.includes(command.data.agentId)) throw new IllegalStateError(`Agent ${command.data.agentId} did not handle call ${s.callId}`);
      const disposition = command.data.disposition.trim();
      if (disposition.length === 0 || disposition.length > 100) throw new ValidationError('A disposition is 1 to 100 characters');
      if (command.data.notes.length > 5000) throw new ValidationError('Notes are at most 5000 characters');
      emit(d, { type: 'CallDispositionRecorded', data: { ...base(d), agentId: command.data.agentId, disposition, notes: command.data.notes } });
      return;
    }
    case 'StartCallBack': {
      const s = active(d);
      if (s.status !== 'Ended') throw new IllegalStateError(`Call ${s.callId} is still going on: there is nobody to call back yet`);
      emit(d, { type: 'CallBackStarted', data: { ...base(d), agentId: command.data.agentId, number: command.data.number } });
      return;
    }
    default: {
      const _exhaustive: never = command;
      return;
    }
  }
};

////////////////////////////////////////// Decider

/** The id a command is deduplicated on: retries of one webhook, timer or outcome decide nothing twice. */
export const causeIdOf = (command: CallCommand): string => {
  switch (command.type) {
    case 'HandleWebhook':
      return command.data.webhook.webhookId;
    case 'RecordCommandOutcome':
      return deterministicId('command-outcome', command.data.commandId);
    case 'ExpireOffer':
      return deterministicId('expire-offer', command.data.offerId);
    case 'RecordRecordingStored':
      return deterministicId('recording-stored', command.data.recordingId);
    default:
      return command.metadata.commandId;
  }
};

/** The call a command is for: the webhook's owning call, else the stream the caller addressed (the state's). */
export const callIdOf = (command: CallCommand, state: CallState): string | undefined =>
  command.type === 'HandleWebhook' ? owningCallId(command.data.webhook) : state.status === 'New' ? undefined : state.callId;

export const decideCall = (config: ContactCenterConfig, command: CallCommand, state: CallState, callId?: string): CallEvent[] => {
  const causeId = causeIdOf(command);
  if (state.handledCauses.has(causeId)) return [];
  const id = callId ?? callIdOf(command, state);
  if (!id) throw new NotFoundError('The call does not exist');
  const d: Draft = {
    config,
    callId: id,
    causeId,
    at: command.type === 'HandleWebhook' ? command.data.webhook.occurredAt : command.metadata.now,
    actor: command.metadata.actor ?? 'system',
    state,
    events: [],
    occurrences: new Map(),
  };
  decideCommand(d, command);
  return d.events;
};

/**
 * The call decider for a configuration. The call id defaults to the webhook's owning call (or the state's);
 * pass it when handling a command on a known stream.
 */
export const callDecider = (config: ContactCenterConfig, callId?: string): Decider<CallState, CallCommand, CallEvent> => ({
  decide: (command, state) => decideCall(config, command, state, callId),
  evolve: evolveCall,
  initialState: initialCallState,
});
