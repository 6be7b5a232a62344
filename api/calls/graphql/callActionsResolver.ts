import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { AGENT_IDLE_TIME_PROJECTION } from '../../../projections/agent-idle-time/agentIdleTimeProjection';
import { agentView } from '../../../projections/agent-idle-time/queries';
import { CALL_HISTORY_PROJECTION } from '../../../projections/call-history/callHistoryProjection';
import { callById } from '../../../projections/call-history/queries';
import { QUEUE_PROJECTION } from '../../../projections/queue/queueProjection';
import { Agent } from '../../agents/graphql/agentTypes';
import { hasRole, requireAgentId } from '../../auth/guards';
import { ForbiddenError, IllegalStateError, ValidationError } from '../../core/errors';
import { afterAppend } from '../../graphql/actions';
import { Allow } from '../../graphql/authorization';
import { requestMeta, type GraphQLContext } from '../../graphql/context';
import type { CommandOutcomeSummary } from '../../reactor/commands';
import type { TransferTarget } from '../callEvents';
import type { SupervisorRole } from '../telnyxCommands';
import { assertCanActOnCall, assertCanActOnQueuedCall, assertCanSeeCall, type CallActor } from './callAccess';
import { AnnounceTargetEnum, CallActionResult, CallBackResult, SupervisorRoleEnum, TransferTargetInput } from './callActionTypes';
import { Call, TransferModeEnum } from './callTypes';

const CALL_VIEWS = [CALL_HISTORY_PROJECTION, AGENT_IDLE_TIME_PROJECTION];
const PICK_VIEWS = [QUEUE_PROJECTION, CALL_HISTORY_PROJECTION, AGENT_IDLE_TIME_PROJECTION];

const DTMF = /^[0-9*#A-Da-dwW]{1,32}$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;

/** The call and the agent as the read models show them once they include the action. */
const callResult = async (ctx: GraphQLContext, callId: string, agentId: string | undefined, outcome: CommandOutcomeSummary, projections = CALL_VIEWS): Promise<CallActionResult> => {
  const appended = await afterAppend(ctx, outcome, projections);
  const { readModels, clock } = ctx.services;
  const [doc, view] = await Promise.all([callById(readModels, callId), agentId ? agentView(readModels, agentId) : Promise.resolve(null)]);
  return Object.assign(new CallActionResult(), { ...appended, call: doc ? Call.from(doc) : null, agent: view ? Agent.from(view, clock()) : null });
};

const agentOnCall = (actor: CallActor, callId: string): string => {
  if (!actor.agentId) throw new IllegalStateError(`No agent is on call ${callId}`);
  return actor.agentId;
};

const transferTarget = (input: TransferTargetInput): TransferTarget => {
  const given = [input.agentId, input.queueId, input.number].filter((v) => v !== undefined && v !== null && v !== '');
  if (given.length !== 1) throw new ValidationError('Give exactly one of agentId, queueId and number');
  if (input.agentId) return { kind: 'agent', agentId: input.agentId };
  if (input.queueId) return { kind: 'queue', queueId: input.queueId };
  const number = (input.number ?? '').replace(/[\s().-]/g, '');
  if (!E164.test(number)) throw new ValidationError(`Not an E.164 number: ${input.number ?? ''}`);
  return { kind: 'number', number };
};

/** Actions on calls. Each appends through the reactor's command API and answers once the call view shows it. */
@Resolver()
export class CallActionsResolver {
  @Allow('agent')
  @Mutation(() => CallActionResult, { description: 'Takes a waiting call from the queue view (cherry-pick): the call is offered to the caller at once.' })
  async pickCall(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string): Promise<CallActionResult> {
    const agentId = requireAgentId(ctx);
    const outcome = await ctx.services.callControl.cherryPick({ agentId, callId }, requestMeta(ctx));
    return callResult(ctx, callId, agentId, outcome, PICK_VIEWS);
  }

  @Allow('agent')
  @Mutation(() => CallActionResult, { description: 'Declines the offer ringing on the caller; the call goes back to its queue.' })
  async declineOffer(@Ctx() ctx: GraphQLContext, @Arg('offerId', () => ID) offerId: string): Promise<CallActionResult> {
    const agentId = requireAgentId(ctx);
    const view = await agentView(ctx.services.readModels, agentId);
    if (view?.offer?.offerId !== offerId) throw new ForbiddenError(`Offer ${offerId} is not ringing on you`);
    const callId = view.offer.callId;
    const outcome = await ctx.services.callControl.rejectOffer({ callId, offerId, agentId }, requestMeta(ctx));
    return callResult(ctx, callId, agentId, outcome, PICK_VIEWS);
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult)
  async holdCall(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string): Promise<CallActionResult> {
    const actor = await assertCanActOnCall(ctx, callId);
    const agentId = agentOnCall(actor, callId);
    return callResult(ctx, callId, agentId, await ctx.services.callControl.hold({ callId, agentId }, requestMeta(ctx)));
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult)
  async unholdCall(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string): Promise<CallActionResult> {
    const actor = await assertCanActOnCall(ctx, callId);
    const agentId = agentOnCall(actor, callId);
    return callResult(ctx, callId, agentId, await ctx.services.callControl.unhold({ callId, agentId }, requestMeta(ctx)));
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult, { description: 'Hangs up the whole call.' })
  async hangupCall(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string): Promise<CallActionResult> {
    const actor = await assertCanActOnCall(ctx, callId);
    const reason = hasRole(actor.user, 'supervisor', 'admin') && actor.user.agentId !== actor.agentId ? 'supervisor-hangup' : 'agent-hangup';
    return callResult(ctx, callId, actor.agentId, await ctx.services.callControl.hangUp({ callId, reason }, requestMeta(ctx)));
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult, { description: "Sends DTMF tones on the agent's behalf (to an IVR at the other end)." })
  async sendDtmf(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string, @Arg('digits', () => String) digits: string): Promise<CallActionResult> {
    if (!DTMF.test(digits)) throw new ValidationError('digits are 1-32 of 0-9 * # A-D w W');
    const actor = await assertCanActOnCall(ctx, callId);
    const agentId = agentOnCall(actor, callId);
    return callResult(ctx, callId, agentId, await ctx.services.callControl.sendDtmf({ callId, agentId, digits }, requestMeta(ctx)));
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult, { description: 'Speaks a text-to-speech announcement on the call.' })
  async announce(
    @Ctx() ctx: GraphQLContext,
    @Arg('callId', () => ID) callId: string,
    @Arg('text', () => String) text: string,
    @Arg('target', () => AnnounceTargetEnum, { defaultValue: 'customer' }) target: 'customer' | 'agent' | 'both',
    @Arg('language', () => String, { nullable: true, description: "Defaults to the call's language." }) language?: string,
  ): Promise<CallActionResult> {
    const trimmed = text.trim();
    if (trimmed.length === 0 || trimmed.length > 1000) throw new ValidationError('text is 1-1000 characters');
    const actor = await assertCanActOnCall(ctx, callId);
    const outcome = await ctx.services.callControl.announce({ callId, text: trimmed, target, ...(language ? { language } : {}) }, requestMeta(ctx));
    return callResult(ctx, callId, actor.agentId, outcome);
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult, { description: "Mutes or unmutes the agent's microphone on the call." })
  async setMuted(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string, @Arg('muted', () => Boolean) muted: boolean): Promise<CallActionResult> {
    const actor = await assertCanActOnCall(ctx, callId);
    const agentId = agentOnCall(actor, callId);
    const { callControl } = ctx.services;
    const outcome = muted ? await callControl.mute({ agentId, callId }, requestMeta(ctx)) : await callControl.unmute({ agentId, callId }, requestMeta(ctx));
    return callResult(ctx, callId, agentId, outcome);
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult, { description: 'BLIND hands the caller to an agent, a queue or a number at once; WARM first connects the agent to an agent or a number (then completeTransfer or cancelTransfer).' })
  async transferCall(
    @Ctx() ctx: GraphQLContext,
    @Arg('callId', () => ID) callId: string,
    @Arg('target', () => TransferTargetInput) input: TransferTargetInput,
    @Arg('mode', () => TransferModeEnum) mode: 'blind' | 'warm',
  ): Promise<CallActionResult> {
    const target = transferTarget(input);
    const actor = await assertCanActOnCall(ctx, callId);
    const agentId = agentOnCall(actor, callId);
    const { callControl } = ctx.services;
    let outcome: CommandOutcomeSummary;
    if (mode === 'blind') outcome = await callControl.blindTransfer({ callId, agentId, target }, requestMeta(ctx));
    else if (target.kind === 'queue') throw new ValidationError('A warm transfer goes to an agent or a number, not a queue');
    else outcome = await callControl.warmTransfer({ callId, agentId, target }, requestMeta(ctx));
    return callResult(ctx, callId, agentId, outcome);
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult, { description: 'Hands the caller over to the consulted party of a warm transfer.' })
  async completeTransfer(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string): Promise<CallActionResult> {
    const actor = await assertCanActOnCall(ctx, callId);
    const agentId = agentOnCall(actor, callId);
    return callResult(ctx, callId, agentId, await ctx.services.callControl.completeTransfer({ callId, agentId }, requestMeta(ctx)));
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult, { description: 'Ends the consultation of a warm transfer and takes the caller back.' })
  async cancelTransfer(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string): Promise<CallActionResult> {
    const actor = await assertCanActOnCall(ctx, callId);
    const outcome = await ctx.services.callControl.cancelTransfer({ callId, ...(actor.agentId ? { agentId: actor.agentId } : {}), reason: 'cancelled by user' }, requestMeta(ctx));
    return callResult(ctx, callId, actor.agentId, outcome);
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult, { description: 'Starts recording (queues whose policy records on demand).' })
  async startRecording(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string): Promise<CallActionResult> {
    const actor = await assertCanActOnCall(ctx, callId);
    return callResult(ctx, callId, actor.agentId, await ctx.services.callControl.startRecording({ callId, ...(actor.agentId ? { agentId: actor.agentId } : {}) }, requestMeta(ctx)));
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult, { description: 'Pauses the recording (e.g. while the caller gives card details).' })
  async pauseRecording(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string): Promise<CallActionResult> {
    const actor = await assertCanActOnCall(ctx, callId);
    return callResult(ctx, callId, actor.agentId, await ctx.services.callControl.pauseRecording({ callId, ...(actor.agentId ? { agentId: actor.agentId } : {}) }, requestMeta(ctx)));
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult)
  async resumeRecording(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string): Promise<CallActionResult> {
    const actor = await assertCanActOnCall(ctx, callId);
    return callResult(ctx, callId, actor.agentId, await ctx.services.callControl.resumeRecording({ callId, ...(actor.agentId ? { agentId: actor.agentId } : {}) }, requestMeta(ctx)));
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult)
  async stopRecording(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string): Promise<CallActionResult> {
    const actor = await assertCanActOnCall(ctx, callId);
    return callResult(ctx, callId, actor.agentId, await ctx.services.callControl.stopRecording({ callId, ...(actor.agentId ? { agentId: actor.agentId } : {}) }, requestMeta(ctx)));
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult, { description: 'Starts live transcription; lines arrive in the call (and myDeskChanged).' })
  async startTranscription(
    @Ctx() ctx: GraphQLContext,
    @Arg('callId', () => ID) callId: string,
    @Arg('language', () => String, { nullable: true, description: "Defaults to the call's language." }) language?: string,
  ): Promise<CallActionResult> {
    const actor = await assertCanActOnCall(ctx, callId);
    return callResult(ctx, callId, actor.agentId, await ctx.services.callControl.startTranscription({ callId, ...(language ? { language } : {}) }, requestMeta(ctx)));
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult)
  async stopTranscription(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string): Promise<CallActionResult> {
    const actor = await assertCanActOnCall(ctx, callId);
    return callResult(ctx, callId, actor.agentId, await ctx.services.callControl.stopTranscription({ callId }, requestMeta(ctx)));
  }

  @Allow('agent')
  @Mutation(() => CallActionResult, { description: 'Ends wrap-up with a disposition and notes; the agent is available again.' })
  async completeWrapUp(
    @Ctx() ctx: GraphQLContext,
    @Arg('callId', () => ID) callId: string,
    @Arg('disposition', () => String) disposition: string,
    @Arg('notes', () => String, { nullable: true }) notes?: string,
  ): Promise<CallActionResult> {
    const trimmed = disposition.trim();
    if (trimmed.length === 0 || trimmed.length > 100) throw new ValidationError('disposition is 1-100 characters');
    if ((notes ?? '').length > 5000) throw new ValidationError('notes are at most 5000 characters');
    const actor = await assertCanActOnCall(ctx, callId);
    const agentId = agentOnCall(actor, callId);
    const outcome = await ctx.services.callControl.completeWrapUp({ callId, agentId, disposition: trimmed, ...(notes !== undefined ? { notes } : {}) }, requestMeta(ctx));
    return callResult(ctx, callId, agentId, outcome);
  }

  @Allow('agent', 'supervisor')
  @Mutation(() => CallActionResult, { description: 'For a caller waiting in a queue: hang up and be called back, keeping the place in line.' })
  async requestCallback(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string): Promise<CallActionResult> {
    const actor = await assertCanActOnQueuedCall(ctx, callId);
    return callResult(ctx, callId, actor.agentId, await ctx.services.callControl.requestCallback({ callId }, requestMeta(ctx)), PICK_VIEWS);
  }

  @Allow('agent')
  @Mutation(() => CallBackResult, {
    description:
      "Checks an outbound call back to a number (from the history or a voicemail) and gives the number to dial: the softphone places the call, and the call's own events record it as the agent's outbound call.",
  })
  async callBack(@Ctx() ctx: GraphQLContext, @Arg('number', () => String) number: string, @Arg('fromCallId', () => ID, { nullable: true }) fromCallId?: string): Promise<CallBackResult> {
    const agentId = requireAgentId(ctx);
    const target = transferTarget({ number });
    if (target.kind !== 'number') throw new ValidationError('A call back goes to a number');
    const { readModels, clock } = ctx.services;
    if (fromCallId) assertCanSeeCall(ctx, await callById(readModels, fromCallId), fromCallId);
    const view = await agentView(readModels, agentId);
    if (!view || view.status === 'Offline') throw new IllegalStateError('Log in before calling out');
    if (view.currentCall) throw new IllegalStateError(`You are on call ${view.currentCall.callId}`);
    // Recorded on the earlier call, so that the outbound call the softphone places next is linked to it.
    const outcome = fromCallId ? await ctx.services.callControl.startCallBack({ callId: fromCallId, agentId, number: target.number }, requestMeta(ctx)) : null;
    const appended = outcome ? await afterAppend(ctx, outcome, CALL_VIEWS) : { position: null, events: [], caughtUp: true };
    return Object.assign(new CallBackResult(), {
      ...appended,
      number: target.number,
      fromCallId: fromCallId ?? null,
      agent: Agent.from(view, clock()),
    });
  }

  @Allow('supervisor')
  @Mutation(() => CallActionResult, { description: "Dials the supervisor's registered softphone into the call to monitor, whisper or barge." })
  async superviseCall(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string, @Arg('role', () => SupervisorRoleEnum) role: SupervisorRole): Promise<CallActionResult> {
    const supervisorId = requireAgentId(ctx);
    const outcome = await ctx.services.callControl.supervise({ callId, supervisorId, mode: role }, requestMeta(ctx));
    return callResult(ctx, callId, supervisorId, outcome);
  }

  @Allow('supervisor')
  @Mutation(() => CallActionResult)
  async switchSupervisorRole(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string, @Arg('role', () => SupervisorRoleEnum) role: SupervisorRole): Promise<CallActionResult> {
    const supervisorId = requireAgentId(ctx);
    const outcome = await ctx.services.callControl.switchSupervisorRole({ callId, supervisorId, mode: role }, requestMeta(ctx));
    return callResult(ctx, callId, supervisorId, outcome);
  }

  @Allow('supervisor')
  @Mutation(() => CallActionResult, { description: "Takes the supervisor's softphone off the call." })
  async endSupervision(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string): Promise<CallActionResult> {
    const supervisorId = requireAgentId(ctx);
    const outcome = await ctx.services.callControl.endSupervision({ callId, supervisorId }, requestMeta(ctx));
    return callResult(ctx, callId, supervisorId, outcome);
  }
}
