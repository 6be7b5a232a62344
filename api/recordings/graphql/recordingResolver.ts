import { Arg, Ctx, Field, ID, ObjectType, Query, Resolver } from 'type-graphql';
import { callById } from '../../../projections/call-history/queries';
import { requireUser } from '../../auth/guards';
import { assertCanSeeCall } from '../../calls/graphql/callAccess';
import { IllegalStateError, NotFoundError } from '../../core/errors';
import { Allow } from '../../graphql/authorization';
import type { GraphQLContext } from '../../graphql/context';
import { RECORDINGS_PATH } from './recordingRoute';

@ObjectType({ description: 'A short-lived link to download or play a recording.', simpleResolvers: true })
export class RecordingUrl {
  @Field(() => String, { description: 'Relative to the API origin: GET it (no Authorization header needed) before expiresAt.' })
  url!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => String, { nullable: true })
  contentType!: string | null;
}

@Resolver()
export class RecordingResolver {
  @Allow('agent', 'supervisor', 'admin', 'analyst')
  @Query(() => RecordingUrl, { description: "A download link for a stored recording (or voicemail) of a call the caller may see (agents: their own calls)." })
  async recordingUrl(@Ctx() ctx: GraphQLContext, @Arg('callId', () => ID) callId: string, @Arg('recordingId', () => ID) recordingId: string): Promise<RecordingUrl> {
    const user = requireUser(ctx);
    const doc = assertCanSeeCall(ctx, await callById(ctx.services.readModels, callId), callId);
    const recording = doc.recordings.find((r) => r.recordingId === recordingId);
    if (!recording) throw new NotFoundError(`Call ${callId} has no recording ${recordingId}`);
    if (recording.status !== 'stored' || !recording.location) throw new IllegalStateError(`Recording ${recordingId} is ${recording.status === 'failed' ? 'lost: its download failed' : 'not stored yet'}`);
    const link = await ctx.services.recordingLinks.sign({ recordingId, callId, location: recording.location, contentType: recording.contentType, userId: user.userId });
    return Object.assign(new RecordingUrl(), {
      url: `${RECORDINGS_PATH}/${encodeURIComponent(recordingId)}?token=${link.token}`,
      expiresAt: link.expiresAt,
      contentType: recording.contentType,
    });
  }
}
