import { agentStreamId, type AgentState } from '../agents/agent';
import type { AgentCommand } from '../agents/agentDecider';
import type { CallCommand } from '../calls/callCommands';
import type { TransferTarget } from '../calls/callEvents';
import type { CallState } from '../calls/callState';
import { reservationDeadline } from '../calls/timers';
import type { SupervisorRole } from '../calls/telnyxCommands';
import { callStreamId } from '../calls/webhook';
import type { ContactCenterConfig } from '../config/config';
import { configStreamFor, configurationDecider, type ConfigCommand } from '../config/configDecider';
import { CommandHandler, deterministicId, type CommandMetadata } from '../core/decider';
import { IllegalStateError, NotFoundError, ValidationError } from '../core/errors';
import type { EventStore } from '../infrastructure/eventStore/eventStore';
import { validateCherryPick } from '../routing/router';
import { routingSnapshot, type RoutingView, type WaitingEntry } from '../routing/routingView';
import type { RequestMeta } from '../users/userService';
import { nowIso, type ReactorClock } from './clock';
import { DecisionWriter } from './decisionWriter';
import { agentFold, callFold, handleAgentCommand, handleCallCommand } from './streams';

/** What a command appended: the event types, and the global position of the last one (null when the command changed nothing). */
export interface CommandOutcomeSummary {
  position: bigint | null;
  events: string[];
}

type Data<C extends { type: string; data: unknown }, T extends C['type']> = Extract<C, { type: T }>['data'];

export interface CallControlServiceOptions {
  eventStore: EventStore;
  /** The current configuration (the reactor's, or a ConfigurationView's). */
  config: () => ContactCenterConfig;
  clock: ReactorClock;
}

const summary = (result: { events: Array<{ type: string }>; position?: bigint }): CommandOutcomeSummary => ({
  position: result.position ?? null,
  events: result.events.map((e) => e.type),
});

/**
 * The write side of agent and supervisor actions, for the GraphQL layer: every method decides a command on
 * the call, agent or configuration stream with the deciders, appends with `{ actor, requestId }` in the
 * metadata, and returns the appended position (for read-your-writes). The reactor takes it from there:
 * it sends the Telnyx commands the call stream now requests.
 *
 * The command id of each action is derived from the request id: a request retried with the same id
 * decides nothing twice and requests the same Telnyx command ids.
 */
export class CallControlService {
  private readonly writer: DecisionWriter;

  constructor(private readonly options: CallControlServiceOptions) {
    this.writer = new DecisionWriter(options.eventStore, { capacity: 2000 });
  }

  private meta(ctx: RequestMeta, type: string, streamId: string, correlationId: string): CommandMetadata {
    return {
      now: nowIso(this.options.clock),
      commandId: deterministicId('request', ctx.requestId, type, streamId),
      actor: ctx.actor,
      requestId: ctx.requestId,
      correlationId,
      causationId: ctx.requestId,
    };
  }

  private async onCall<T extends CallCommand['type']>(callId: string, type: T, data: Data<CallCommand, T>, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    const command = { type, data, metadata: this.meta(ctx, type, callStreamId(callId), callId) } as CallCommand;
    const state = await this.callState(callId);
    if (state.status === 'New') throw new NotFoundError(`Call ${callId} does not exist`);
    return summary(await handleCallCommand(this.writer, this.options.config, callId, command));
  }

  private async onAgent<T extends AgentCommand['type']>(agentId: string, type: T, data: Data<AgentCommand, T>, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    const streamId = agentStreamId(agentId);
    const command = { type, data, metadata: this.meta(ctx, type, streamId, agentId) } as AgentCommand;
    return summary(await handleAgentCommand(this.writer, streamId, command));
  }

  private async callState(callId: string): Promise<CallState> {
    return (await this.writer.read(callFold, callStreamId(callId))).state;
  }

  private async agentState(agentId: string): Promise<AgentState> {
    return (await this.writer.read(agentFold, agentStreamId(agentId))).state;
  }

  private requireProfile(agentId: string): void {
    if (!this.options.config().agents[agentId]) throw new NotFoundError(`Agent ${agentId} is not configured`);
  }

  // ---------------------------------------------------------------- agents (self, or a supervisor as actor)

  logIn(input: { agentId: string; status?: 'Available' | 'Break'; breakReason?: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    this.requireProfile(input.agentId);
    return this.onAgent(input.agentId, 'LogIn', input, ctx);
  }

  logOut(input: { agentId: string; reason?: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onAgent(input.agentId, 'LogOut', input, ctx);
  }

  /** Available, Break (with a reason) or Offline; a supervisor changing another agent's state passes their own id as `ctx.actor`. */
  setAgentStatus(input: { agentId: string; status: 'Available' | 'Break' | 'Offline'; reason?: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onAgent(input.agentId, 'ChangeStatus', input, ctx);
  }

  registerDevice(input: { agentId: string; credentialId: string; sipUsername: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    this.requireProfile(input.agentId);
    return this.onAgent(input.agentId, 'RegisterDevice', input, ctx);
  }

  unregisterDevice(input: { agentId: string; reason: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onAgent(input.agentId, 'UnregisterDevice', input, ctx);
  }

  mute(input: { agentId: string; callId: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onAgent(input.agentId, 'Mute', input, ctx);
  }

  unmute(input: { agentId: string; callId: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onAgent(input.agentId, 'Unmute', input, ctx);
  }

  // ---------------------------------------------------------------- offers

  /**
   * The agent takes a waiting call from the queue view: checked against the call's requirements and the
   * agent's state, recorded as a routing decision, the agent reserved on their stream, then offered.
   */
  async cherryPick(input: { agentId: string; callId: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    const { agentId, callId } = input;
    const config = this.options.config();
    const settings = config.settings;
    if (!settings) throw new IllegalStateError('The contact center settings are not configured');
    this.requireProfile(agentId);
    const [call, agent] = await Promise.all([this.callState(callId), this.agentState(agentId)]);
    if (call.status === 'New') throw new NotFoundError(`Call ${callId} does not exist`);
    const entry = call.entry;
    const now = nowIso(this.options.clock);
    const waiting: Record<string, WaitingEntry> =
      entry && entry.waiting && (call.status === 'Queued' || call.status === 'CallbackWaiting')
        ? {
            [callId]: {
              callId,
              entryId: entry.entryId,
              queueId: entry.queueId,
              kind: entry.kind,
              priority: entry.priority,
              enqueuedAt: entry.enqueuedAt,
              queueEnteredAt: entry.queueEnteredAt,
              attributes: entry.attributes,
              targetAgentId: entry.targetAgentId,
              excludedAgents: entry.excludedAgents,
              offering: false,
            },
          }
        : {};
    const view: RoutingView = { config, agents: { [agentId]: agent }, waiting, roundRobinPointers: {} };
    const pick = validateCherryPick(routingSnapshot(view, now), agentId, callId);
    if (!pick.ok) throw new IllegalStateError(`${agentId} cannot take call ${callId}: ${pick.reasons.join('; ')}`);
    const decision = pick.decision;
    const recorded = await this.onCall(callId, 'RecordRoutingDecision', { decision }, ctx);
    if (recorded.position === null) throw new IllegalStateError(`Call ${callId} is no longer waiting`);
    const offerId = deterministicId('offer', decision.decisionId);
    const sipUsername = agent.device?.sipUsername;
    if (!sipUsername) throw new IllegalStateError(`${agentId} has no registered device`);
    const purpose = entry?.kind === 'callback' ? 'callback' : 'queue';
    const reserved = await this.onAgent(agentId, 'ReserveAgent', { agentId, offerId, callId, queueId: decision.queueId, purpose, expiresAt: reservationDeadline(now, config.queues[decision.queueId], settings) }, ctx);
    const offered = await this.onCall(callId, 'OfferCall', { offerId, purpose, strategy: 'cherry-pick', agents: [{ agentId, sipUsername }], decisionId: decision.decisionId }, ctx);
    if (offered.events.includes('CallOfferFailed')) throw new IllegalStateError(`Call ${callId} could not be offered to ${agentId}; it is no longer waiting`);
    return { position: offered.position ?? reserved.position, events: [...recorded.events, ...reserved.events, ...offered.events] };
  }

  rejectOffer(input: { callId: string; offerId: string; agentId: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'RejectOffer', { offerId: input.offerId, agentId: input.agentId }, ctx);
  }

  // ---------------------------------------------------------------- in-call controls

  hold(input: { callId: string; agentId: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'Hold', { agentId: input.agentId }, ctx);
  }

  unhold(input: { callId: string; agentId: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'Unhold', { agentId: input.agentId }, ctx);
  }

  blindTransfer(input: { callId: string; agentId: string; target: TransferTarget }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'BlindTransfer', { agentId: input.agentId, target: input.target }, ctx);
  }

  /** Consult an agent or a number first; `completeTransfer` hands the caller over, `cancelTransfer` takes them back. */
  warmTransfer(input: { callId: string; agentId: string; target: Extract<TransferTarget, { kind: 'agent' | 'number' }> }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'WarmTransfer', { agentId: input.agentId, target: input.target }, ctx);
  }

  completeTransfer(input: { callId: string; agentId: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'CompleteTransfer', { agentId: input.agentId }, ctx);
  }

  cancelTransfer(input: { callId: string; agentId?: string; reason: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'CancelTransfer', { ...(input.agentId !== undefined ? { agentId: input.agentId } : {}), reason: input.reason }, ctx);
  }

  startRecording(input: { callId: string; agentId?: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'StartRecording', { ...(input.agentId !== undefined ? { agentId: input.agentId } : {}) }, ctx);
  }

  pauseRecording(input: { callId: string; agentId?: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'PauseRecording', { ...(input.agentId !== undefined ? { agentId: input.agentId } : {}) }, ctx);
  }

  resumeRecording(input: { callId: string; agentId?: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'ResumeRecording', { ...(input.agentId !== undefined ? { agentId: input.agentId } : {}) }, ctx);
  }

  stopRecording(input: { callId: string; agentId?: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'StopRecording', { ...(input.agentId !== undefined ? { agentId: input.agentId } : {}) }, ctx);
  }

  startTranscription(input: { callId: string; language?: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'StartTranscription', { ...(input.language !== undefined ? { language: input.language } : {}) }, ctx);
  }

  stopTranscription(input: { callId: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'StopTranscription', {}, ctx);
  }

  /** A text-to-speech announcement to the customer, the agent or both. */
  announce(input: { callId: string; text: string; target: 'customer' | 'agent' | 'both'; language?: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'Announce', { text: input.text, target: input.target, ...(input.language !== undefined ? { language: input.language } : {}) }, ctx);
  }

  sendDtmf(input: { callId: string; agentId: string; digits: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'SendDtmf', { agentId: input.agentId, digits: input.digits }, ctx);
  }

  hangUp(input: { callId: string; reason: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'Hangup', { reason: input.reason }, ctx);
  }

  /**
   * The disposition on the call, then the agent out of wrap-up at once (the reactor's follow-up of the
   * disposition finds it done), so that the answer already shows the agent available.
   */
  async completeWrapUp(input: { callId: string; agentId: string; disposition: string; notes?: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    const recorded = await this.onCall(input.callId, 'CompleteWrapUp', { agentId: input.agentId, disposition: input.disposition, notes: input.notes ?? '' }, ctx);
    if (!recorded.events.includes('CallDispositionRecorded')) return recorded;
    const finished = await this.onAgent(input.agentId, 'CompleteAgentWrapUp', { agentId: input.agentId, callId: input.callId }, ctx);
    // Nothing to do: the reactor's follow-up of the disposition got there first. The answer waits for that too.
    const [latest] = finished.position === null ? await this.options.eventStore.readStream(agentStreamId(input.agentId), { direction: 'backwards', maxCount: 1, headersOnly: true }) : [];
    const agentPosition = finished.position ?? latest?.position ?? null;
    const position = agentPosition !== null && (recorded.position === null || agentPosition > recorded.position) ? agentPosition : recorded.position;
    return { position, events: [...recorded.events, ...finished.events] };
  }

  /** The agent is about to call the caller of an ended call back; the outbound call that follows names it. */
  startCallBack(input: { callId: string; agentId: string; number: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'StartCallBack', { agentId: input.agentId, number: input.number }, ctx);
  }

  /** For a caller waiting in a queue: hang up and be called back, keeping the place in line. */
  requestCallback(input: { callId: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'RequestCallback', {}, ctx);
  }

  leaveVoicemail(input: { callId: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'LeaveVoicemail', {}, ctx);
  }

  // ---------------------------------------------------------------- supervision

  /** The supervisor's registered softphone is dialled into the call in `mode` (monitor, whisper to the agent, or barge). */
  async supervise(input: { callId: string; supervisorId: string; mode: SupervisorRole }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    const supervisor = await this.agentState(input.supervisorId);
    const sipUsername = supervisor.device?.registered ? supervisor.device.sipUsername : undefined;
    if (!sipUsername) throw new IllegalStateError(`${input.supervisorId} has no registered device to supervise from`);
    return this.onCall(input.callId, 'Supervise', { supervisorId: input.supervisorId, sipUsername, mode: input.mode }, ctx);
  }

  switchSupervisorRole(input: { callId: string; supervisorId: string; mode: SupervisorRole }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'SwitchSupervisorRole', { supervisorId: input.supervisorId, mode: input.mode }, ctx);
  }

  endSupervision(input: { callId: string; supervisorId: string }, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    return this.onCall(input.callId, 'EndSupervision', { supervisorId: input.supervisorId }, ctx);
  }

  // ---------------------------------------------------------------- configuration (admin)

  async configure(command: Omit<ConfigCommand, 'metadata'>, ctx: RequestMeta): Promise<CommandOutcomeSummary> {
    const full = { ...command, metadata: this.meta(ctx, command.type, 'config', 'config') } as ConfigCommand;
    const streamId = configStreamFor(full);
    if (!streamId) throw new ValidationError(`Unknown configuration command ${command.type}`);
    const result = await CommandHandler(configurationDecider)(this.options.eventStore, streamId, (state) => configurationDecider.decide(full, state), {
      metadata: { actor: ctx.actor, requestId: ctx.requestId, causationId: ctx.requestId, correlationId: streamId },
    });
    return summary({ events: result.newEvents, position: result.position });
  }
}
