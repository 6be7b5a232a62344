import { JSONScalar as GraphQLJSON } from '../graphql/jsonScalar';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { RecordedEvent } from '../infrastructure/eventStore/eventStore';
import { Call, CallOutcomeEnum } from '../calls/graphql/callTypes';
import { PageInfo } from '../graphql/paging';

@InputType({ description: 'Every condition given must hold.' })
export class CallHistoryFilter {
  @Field(() => Date, { nullable: true, description: 'Calls that started at or after this time.' })
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Calls that started before this time.' })
  to?: Date;

  @Field(() => String, { nullable: true })
  queueId?: string;

  @Field(() => String, { nullable: true, description: 'Calls this agent was connected to (agents: only themselves, the default).' })
  agentId?: string;

  @Field(() => CallOutcomeEnum, { nullable: true })
  outcome?: string;

  @Field(() => String, { nullable: true, description: 'The outside party, E.164.' })
  callerNumber?: string;
}

@ObjectType({ simpleResolvers: true })
export class CallPage {
  @Field(() => [Call])
  nodes!: Call[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType({ description: 'A recorded voicemail.', simpleResolvers: true })
export class Voicemail {
  @Field(() => ID)
  callId!: string;

  @Field(() => String, { nullable: true })
  callerNumber!: string | null;

  @Field(() => String, { nullable: true })
  callerName!: string | null;

  @Field(() => String, { nullable: true })
  queueId!: string | null;

  @Field(() => String)
  reason!: string;

  @Field(() => ID, { nullable: true })
  recordingId!: string | null;

  @Field(() => Int, { nullable: true })
  durationSeconds!: number | null;

  @Field(() => Date, { nullable: true })
  recordedAt!: string | null;

  @Field(() => String, { nullable: true, description: 'A short-lived playback URL, relative to the API origin (null until the audio is stored).' })
  playbackUrl!: string | null;

  @Field(() => Date, { nullable: true })
  playbackUrlExpiresAt!: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class VoicemailPage {
  @Field(() => [Voicemail])
  nodes!: Voicemail[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType({ description: 'Every condition given must hold. Positions are inclusive decimal strings; times compare with the time the store recorded the event.' })
export class EventHistoryFilter {
  @Field(() => String, { nullable: true, description: 'Exactly this stream, e.g. call-<callId>.' })
  streamId?: string;

  @Field(() => String, { nullable: true, description: 'Streams starting with this, e.g. agent- or config-.' })
  streamPrefix?: string;

  @Field(() => [String], { nullable: true, description: 'Only these event types.' })
  types?: string[];

  @Field(() => Date, { nullable: true })
  from?: Date;

  @Field(() => Date, { nullable: true })
  to?: Date;

  @Field(() => String, { nullable: true })
  fromPosition?: string;

  @Field(() => String, { nullable: true })
  toPosition?: string;
}

@ObjectType({ description: 'An event as stored, data verbatim (a webhook event holds the Telnyx envelope as received).', simpleResolvers: true })
export class StoredEvent {
  @Field(() => String, { description: 'Global position (a decimal string).' })
  position!: string;

  @Field(() => ID)
  id!: string;

  @Field(() => String)
  streamId!: string;

  @Field(() => String, { description: 'Revision within the stream (a decimal string).' })
  revision!: string;

  @Field(() => String)
  type!: string;

  @Field(() => GraphQLJSON)
  data!: unknown;

  @Field(() => GraphQLJSON)
  metadata!: unknown;

  @Field(() => Date)
  recordedAt!: Date;

  @Field(() => Date, { nullable: true, description: "The domain time (data.occurredAt), when the event has one." })
  occurredAt!: string | null;

  static from(event: RecordedEvent): StoredEvent {
    const occurredAt = (event.data as { occurredAt?: unknown } | null)?.occurredAt;
    return Object.assign(new StoredEvent(), {
      position: event.position.toString(),
      id: event.id,
      streamId: event.streamId,
      revision: event.revision.toString(),
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      recordedAt: event.recordedAt,
      occurredAt: typeof occurredAt === 'string' && !Number.isNaN(Date.parse(occurredAt)) ? occurredAt : null,
    });
  }
}

@ObjectType({ simpleResolvers: true })
export class EventPage {
  @Field(() => [StoredEvent])
  nodes!: StoredEvent[];

  @Field(() => PageInfo, { description: 'endCursor is the last position looked at: a page may hold fewer events than asked when a scan limit was reached.' })
  pageInfo!: PageInfo;
}
