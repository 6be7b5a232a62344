import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { callHistory, voicemails } from '../../projections/call-history/queries';
import type { CallHistoryDoc, HistoryOutcome } from '../../projections/call-history/callHistoryView';
import { hasRole, requireUser } from '../auth/guards';
import { Call } from '../calls/graphql/callTypes';
import { ForbiddenError } from '../core/errors';
import { Allow } from '../graphql/authorization';
import type { GraphQLContext } from '../graphql/context';
import { PageInfo, pageSizeOf, perItem } from '../graphql/paging';
import { RECORDINGS_PATH } from '../recordings/graphql/recordingRoute';
import { parsePosition, readEventPage } from './eventHistory';
import { CallHistoryFilter, CallPage, EventHistoryFilter, EventPage, StoredEvent, Voicemail, VoicemailPage } from './historyTypes';

const voicemailOf = async (ctx: GraphQLContext, doc: CallHistoryDoc): Promise<Voicemail> => {
  const recordingId = doc.voicemail?.recordingId ?? null;
  const stored = recordingId ? doc.recordings.find((r) => r.recordingId === recordingId && r.status === 'stored' && r.location) : undefined;
  const link =
    stored?.location && recordingId
      ? await ctx.services.recordingLinks.sign({ recordingId, callId: doc.callId, location: stored.location, contentType: stored.contentType, userId: requireUser(ctx).userId })
      : null;
  return Object.assign(new Voicemail(), {
    callId: doc.callId,
    callerNumber: doc.callerNumber,
    callerName: doc.caller.name,
    queueId: doc.voicemail?.queueId ?? null,
    reason: doc.voicemail?.reason ?? 'unknown',
    recordingId,
    durationSeconds: doc.voicemail?.durationSeconds ?? null,
    recordedAt: doc.voicemail?.recordedAt ?? doc.voicemailAt,
    playbackUrl: link && recordingId ? `${RECORDINGS_PATH}/${encodeURIComponent(recordingId)}?token=${link.token}` : null,
    playbackUrlExpiresAt: link?.expiresAt ?? null,
  });
};

/** Call history, voicemails and the raw event history. */
@Resolver()
export class HistoryResolver {
  @Allow('agent', 'supervisor', 'admin', 'analyst')
  @Query(() => CallPage, { description: 'Calls newest first, filtered; agents see only their own calls.', complexity: perItem(25) })
  async callHistory(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => CallHistoryFilter, { nullable: true }) filter: CallHistoryFilter | undefined,
    @Arg('first', () => Int, { defaultValue: 25, description: 'At most 200.' }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<CallPage> {
    const user = requireUser(ctx);
    let agentId = filter?.agentId ?? undefined;
    if (!hasRole(user, 'supervisor', 'admin', 'analyst')) {
      if (!user.agentId) throw new ForbiddenError('This user is not linked to an agent');
      if (agentId !== undefined && agentId !== user.agentId) throw new ForbiddenError('An agent sees only its own calls');
      agentId = user.agentId;
    }
    const page = await callHistory(
      ctx.services.readModels,
      {
        ...(filter?.from ? { from: filter.from.toISOString() } : {}),
        ...(filter?.to ? { to: filter.to.toISOString() } : {}),
        ...(filter?.queueId ? { queueId: filter.queueId } : {}),
        ...(agentId ? { agentId } : {}),
        ...(filter?.outcome ? { outcome: filter.outcome as HistoryOutcome } : {}),
        ...(filter?.callerNumber ? { callerNumber: filter.callerNumber } : {}),
      },
      { limit: pageSizeOf(first, 200), ...(after ? { after } : {}) },
    );
    return Object.assign(new CallPage(), { nodes: page.items.map((doc) => Call.from(doc)), pageInfo: PageInfo.of(page.nextCursor, page.nextCursor !== undefined) });
  }

  @Allow('supervisor', 'admin')
  @Query(() => VoicemailPage, { description: 'Recorded voicemails, newest first, with playback URLs.', complexity: perItem(25) })
  async voicemails(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { defaultValue: 25, description: 'At most 200.' }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('queueId', () => String, { nullable: true }) queueId?: string,
  ): Promise<VoicemailPage> {
    const page = await voicemails(ctx.services.readModels, queueId ? { queueId } : {}, { limit: pageSizeOf(first, 200), ...(after ? { after } : {}) });
    const nodes = await Promise.all(page.items.map((doc) => voicemailOf(ctx, doc)));
    return Object.assign(new VoicemailPage(), { nodes, pageInfo: PageInfo.of(page.nextCursor, page.nextCursor !== undefined) });
  }

  @Allow('analyst', 'admin')
  @Query(() => EventPage, { description: 'The raw event history (webhooks verbatim), oldest first unless newestFirst.', complexity: perItem(100) })
  async eventHistory(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => EventHistoryFilter, { nullable: true }) filter: EventHistoryFilter | undefined,
    @Arg('first', () => Int, { defaultValue: 100, description: 'At most 1000.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page.' }) after?: string,
    @Arg('newestFirst', () => Boolean, { defaultValue: false }) newestFirst?: boolean,
  ): Promise<EventPage> {
    const fromPosition = parsePosition(filter?.fromPosition, 'fromPosition');
    const toPosition = parsePosition(filter?.toPosition, 'toPosition');
    const page = await readEventPage(
      ctx.services.eventStore,
      {
        ...(filter?.streamId ? { streamId: filter.streamId } : {}),
        ...(filter?.streamPrefix ? { streamPrefix: filter.streamPrefix } : {}),
        ...(filter?.types && filter.types.length > 0 ? { types: filter.types } : {}),
        ...(filter?.from ? { from: filter.from } : {}),
        ...(filter?.to ? { to: filter.to } : {}),
        ...(fromPosition !== undefined ? { fromPosition } : {}),
        ...(toPosition !== undefined ? { toPosition } : {}),
        newestFirst: newestFirst ?? false,
      },
      pageSizeOf(first, 1000),
      parsePosition(after, 'after'),
    );
    return Object.assign(new EventPage(), {
      nodes: page.events.map((e) => StoredEvent.from(e)),
      pageInfo: PageInfo.of(page.endCursor?.toString(), page.hasNextPage),
    });
  }
}
