import type { ApiConfig } from '../http/config';
import type { AuthService, AuthenticatedUser } from '../auth/authService';
import type { CallstreamError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { EventStore } from '../infrastructure/eventStore/eventStore';
import type { ReadModelStore } from '../../projections/infrastructure/readModels/readModelStore';
import type { CredentialService } from '../telephonyCredentials/credentialService';
import type { TelnyxPort } from '../infrastructure/telnyx/telnyx';
import type { UserDirectory } from '../users/userDirectory';
import type { RequestMeta, UserService } from '../users/userService';
import type { CallControlService } from '../reactor/commands';
import type { ConfigurationView } from '../reactor/configurationView';
import type { RecordingStore } from '../recordings/recordingStore';
import type { RecordingLinks } from '../recordings/graphql/recordingLinks';
import type { CallstreamPubSub } from './pubSub';
import type { LiveViews } from './liveViews';

/** Everything a resolver may use; one set per API server. */
export interface ApiServices {
  eventStore: EventStore;
  readModels: ReadModelStore;
  telnyx: TelnyxPort;
  users: UserService;
  userDirectory: UserDirectory;
  auth: AuthService;
  credentials: CredentialService;
  pubSub: CallstreamPubSub;
  /** The write side of agent, supervisor and admin actions (appends through the deciders). */
  callControl: CallControlService;
  /** The configuration callControl decides with, when known: admin changes wait until it includes them. */
  configuration: ConfigurationView | null;
  /** Read-model change feeds fanned out to the subscriptions of this process. */
  live: LiveViews;
  recordings: RecordingStore;
  recordingLinks: RecordingLinks;
  config: ApiConfig;
  logger: Logger;
  clock: () => Date;
}

/** The context of one HTTP request or one graphql-ws operation. */
export interface GraphQLContext {
  /** One per HTTP request or WS operation; goes into the metadata of every event the request appends. */
  requestId: string;
  /** Null when no valid token came with the request. */
  user: AuthenticatedUser | null;
  /** Why a presented token was refused (expired, session ended…), reported instead of a bare UNAUTHENTICATED. */
  authError?: CallstreamError;
  ip: string;
  transport: 'http' | 'ws';
  services: ApiServices;
  /** A child logger carrying requestId and userId. */
  logger: Logger;
}

/** Event metadata for the request: `{ actor: userId, requestId }`. */
export const requestMeta = (ctx: GraphQLContext): RequestMeta => ({ actor: ctx.user?.userId ?? 'anonymous', requestId: ctx.requestId });
