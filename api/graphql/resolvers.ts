import type { NonEmptyArray } from 'type-graphql';
import { AgentResolver } from '../agents/graphql/agentResolver';
import { DeskOfferResolver, DeskResolver } from '../agents/graphql/deskResolver';
import { AuthResolver } from '../auth/authResolver';
import { CallActionsResolver } from '../calls/graphql/callActionsResolver';
import { CallResolver } from '../calls/graphql/callResolver';
import { ConfigurationResolver } from '../config/graphql/configResolver';
import { HistoryResolver } from '../history/historyResolver';
import { QueueResolver } from '../queues/queueResolver';
import { WallboardResolver } from '../queues/wallboardResolver';
import { RecordingResolver } from '../recordings/graphql/recordingResolver';
import { ReportResolver } from '../reports/reportResolver';
import { TelephonyResolver } from '../telephonyCredentials/telephonyResolver';
import { UserResolver } from '../users/userResolver';

/** A type-graphql resolver class (decorated with @Resolver). */
export type ResolverClass = abstract new (...args: never[]) => unknown;

/**
 * Every resolver class of the API. Add a feature's resolvers here: the server, the emitted
 * schema.graphql and the authorization tests all take them from this list.
 */
export const callstreamResolvers: NonEmptyArray<ResolverClass> = [
  AuthResolver,
  UserResolver,
  TelephonyResolver,
  QueueResolver,
  WallboardResolver,
  AgentResolver,
  DeskResolver,
  DeskOfferResolver,
  CallResolver,
  CallActionsResolver,
  HistoryResolver,
  ReportResolver,
  RecordingResolver,
  ConfigurationResolver,
];
