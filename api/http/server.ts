import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import type { FormattedExecutionResult, Context as WsContext } from 'graphql-ws';
import { useServer, type Extra as WsExtra } from 'graphql-ws/use/ws';
import helmet from 'helmet';
import type { NonEmptyArray } from 'type-graphql';
import { WebSocketServer } from 'ws';
import type { ReadModelStore } from '../../projections/infrastructure/readModels/readModelStore';
import { AuthService, type AuthenticatedUser } from '../auth/authService';
import { LoginRateLimiter } from '../auth/loginRateLimiter';
import { resolveSessionSecret } from '../auth/sessionSecret';
import { feedSessionEvents } from '../auth/sessionEventsFeed';
import { SessionTokens } from '../auth/tokens';
import { CallstreamError, UnauthenticatedError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { EventStore } from '../infrastructure/eventStore/eventStore';
import type { ApiServices, GraphQLContext } from '../graphql/context';
import { createFormatError } from '../graphql/errors';
import { assertComplexity, complexityPlugin, limitRules } from '../graphql/limits';
import { createCallstreamPubSub } from '../graphql/pubSub';
import { LiveViews } from '../graphql/liveViews';
import { ReadModelFeeds } from '../graphql/readModelFeeds';
import { expandSharedPushesOn, serialiseSharedPush, subscribeSharingPushes } from '../graphql/sharedPushes';
import { systemClock } from '../reactor/clock';
import { CallControlService } from '../reactor/commands';
import { ConfigurationView } from '../reactor/configurationView';
import { FileRecordingStore, type RecordingStore } from '../recordings';
import { RecordingLinks } from '../recordings/graphql/recordingLinks';
import { createRecordingRouter, RECORDINGS_PATH } from '../recordings/graphql/recordingRoute';
import { callstreamResolvers, type ResolverClass } from '../graphql/resolvers';
import { buildCallstreamSchema } from '../graphql/schema';
import { CredentialService } from '../telephonyCredentials/credentialService';
import type { TelnyxPort } from '../infrastructure/telnyx/telnyx';
import { ensureAdmin, seedDemoUsers } from '../users/bootstrap';
import { createPasswordHasher, type PasswordHasher } from '../users/passwords';
import { UserDirectory } from '../users/userDirectory';
import { UserService } from '../users/userService';
import type { RateLimit } from '../observability/config';
import type { ReadinessReport } from '../observability/readiness';
import { DEFAULT_WEBHOOK_PATHS } from '../webhooks/webhookRouter';
import type { ApiConfig } from './config';

export const GRAPHQL_PATH = '/graphql';
/** The largest HTTP request body and the largest graphql-ws message /graphql takes (1 MiB). */
export const GRAPHQL_MAX_BODY_BYTES = 1024 * 1024;

export interface MountedRouter {
  path: string;
  router: Router;
}

export interface CreateApiServerOptions {
  eventStore: EventStore;
  readModels: ReadModelStore;
  /** Telephony credentials and tokens go through it, on its configured Credential Connection. */
  telnyx: TelnyxPort;
  config: ApiConfig;
  logger: Logger;
  /** Resolver classes beyond the built-in list (api/graphql/resolvers.ts). */
  extraResolvers?: ResolverClass[];
  /**
   * Routers mounted before the GraphQL body parser, e.g. `{ path: '/', router: createWebhookRouter(…) }`:
   * they see the raw request body (the webhook signature covers the raw bytes).
   */
  routers?: MountedRouter[];
  clock?: () => Date;
  passwords?: PasswordHasher;
  /** The checks behind GET /health/ready (api/observability/readiness.ts); without it, ready means "not closing". */
  readiness?: { evaluate(): Promise<ReadinessReport> };
  /** Per-client-IP limits on the webhook paths and on HTTP /graphql; an absent entry is not limited. */
  rateLimits?: { webhooks?: RateLimit; graphql?: RateLimit; onLimited?: (route: 'webhooks' | 'graphql') => void };
  /**
   * The write side of the mutations (api/reactor/commands.ts). Without it the server builds one on the
   * configuration streams with the system clock (an API process against real Telnyx).
   */
  callControl?: CallControlService;
  /** The configuration `callControl` decides with: admin changes wait for it to include them. */
  configuration?: ConfigurationView;
  /** Where GET /recordings/:id reads recordings; files under the data directory by default. */
  recordings?: RecordingStore;
}

export interface ApiServer {
  app: Express;
  httpServer: Server;
  schema: GraphQLSchema;
  services: ApiServices;
  /** Listens on the given port (config.port by default; 0 for an ephemeral one). */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Stops taking requests, lets running ones finish, closes WebSocket clients and the user subscription. The stores stay open (the caller owns them). */
  close(): Promise<void>;
}

type WsAuth = { user?: AuthenticatedUser };
type SocketExtra = WsExtra & Partial<WsAuth>;

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

const bearerToken = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value.trim());
  return match ? match[1] : undefined;
};

const wsToken = (params: Readonly<Record<string, unknown>> | undefined): string | undefined => {
  const raw = params?.authorization ?? params?.Authorization;
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  return bearerToken(raw) ?? raw.trim();
};

/**
 * A per-client-IP limit (req.ip: set CALLSTREAM_TRUST_PROXY behind a proxy, or every client shares the
 * proxy's address). The in-memory count is per process: N API replicas allow N times the limit.
 */
const perIpLimit = (route: 'webhooks' | 'graphql', limit: RateLimit, onLimited?: (route: 'webhooks' | 'graphql') => void): RequestHandler => {
  const message = `Too many requests from this address; retry after the Retry-After delay`;
  return rateLimit({
    windowMs: limit.windowMs,
    limit: limit.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res, _next, options) => {
      onLimited?.(route);
      res
        .status(options.statusCode)
        .json(route === 'graphql' ? { errors: [{ message, extensions: { code: 'RATE_LIMITED' } }] } : { error: { code: 'RATE_LIMITED', reason: 'rate_limited', message } });
    },
  });
};

/**
 * A request body express.json could not take (over the limit, not JSON, an unknown encoding or
 * charset) answered as a GraphQL error in JSON, as Apollo answers its own bad requests, rather than
 * express's HTML error page.
 */
const graphqlBodyErrors: ErrorRequestHandler = (error: { status?: unknown; type?: unknown }, _req, res, next) => {
  const status = typeof error.status === 'number' ? error.status : 500;
  if (typeof error.type !== 'string' || status < 400 || status >= 500 || res.headersSent) {
    next(error);
    return;
  }
  const tooLarge = status === 413;
  const message = tooLarge ? `The request body exceeds ${GRAPHQL_MAX_BODY_BYTES} bytes` : status === 415 ? 'The request body has an unsupported encoding or charset' : 'The request body is not valid JSON';
  res.status(status).json({ errors: [{ message, extensions: { code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }] });
};

/** A CORS origin list; '*' allows any origin (there are no cookies: tokens travel in headers). */
const corsOrigin = (origins: string[]): boolean | string[] => (origins.includes('*') ? true : origins);

/**
 * The API: Apollo Server 5 on express 5 at /graphql, graphql-ws on the same HTTP server and path,
 * sessions and users on the event store. Starts the user directory and creates the env admin (and
 * the demo users in embedded demo mode) before it resolves.
 */
export const createApiServer = async (options: CreateApiServerOptions): Promise<ApiServer> => {
  const { eventStore, readModels, telnyx, config } = options;
  const logger = options.logger.child({ component: 'api' });
  const clock = options.clock ?? (() => new Date());
  const development = config.nodeEnv === 'development';

  const secret = resolveSessionSecret({ secret: config.sessionSecret, embedded: config.embedded, dataDir: config.dataDir, logger });
  const passwords = options.passwords ?? createPasswordHasher(config.bcryptCost);
  const pubSub = createCallstreamPubSub();
  const userDirectory = new UserDirectory({ eventStore, logger });
  await userDirectory.start();
  const users = new UserService({ eventStore, passwords, clock, view: userDirectory });
  const credentials = new CredentialService({ eventStore, telnyx, logger, clock });
  const auth = new AuthService({
    eventStore,
    users,
    directory: userDirectory,
    credentials,
    passwords,
    tokens: new SessionTokens({ secret, accessTtlSeconds: config.accessTokenTtlSeconds, clock }),
    rateLimiter: new LoginRateLimiter({ maxFailures: config.loginMaxFailures, windowSeconds: config.loginFailureWindowSeconds }),
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
    logger,
    clock,
  });
  // Built here (and stopped on close) only when the caller does not share its own.
  let ownConfiguration: ConfigurationView | null = null;
  let callControl = options.callControl;
  let configuration = options.configuration ?? null;
  if (!callControl) {
    const view = new ConfigurationView(eventStore, logger);
    ownConfiguration = view;
    configuration = view;
    await view.start();
    callControl = new CallControlService({ eventStore, config: () => view.current(), clock: systemClock() });
  }
  const feeds = new ReadModelFeeds({ readModels, logger });
  const live = new LiveViews({ feeds, pubSub, readModels, logger, clock });
  const recordings = options.recordings ?? new FileRecordingStore({ dataDir: config.dataDir });
  const recordingLinks = new RecordingLinks({ secret, clock });
  const services: ApiServices = { eventStore, readModels, telnyx, users, userDirectory, auth, credentials, pubSub, callControl, configuration, live, recordings, recordingLinks, config, logger, clock };

  try {
    if (config.admin) await ensureAdmin(users, config.admin, logger);
    if (config.seedDemo) {
      if (config.embedded) await seedDemoUsers(users, config.demoPassword, logger);
      else logger.warn('CALLSTREAM_SEED_DEMO is ignored outside embedded mode');
    }
  } catch (error) {
    await userDirectory.close();
    await ownConfiguration?.stop();
    throw error;
  }

  const resolvers = [...callstreamResolvers, ...(options.extraResolvers ?? [])] as NonEmptyArray<ResolverClass>;
  const schema = await buildCallstreamSchema(resolvers, pubSub);
  const stopSessionFeed = feedSessionEvents(userDirectory, pubSub);
  const formatError = createFormatError({ development, logger });
  const rules = limitRules({ maxDepth: config.graphqlMaxDepth, maxComplexity: config.graphqlMaxComplexity });

  const app = express();
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  const httpServer = createServer(app);

  // ---- graphql-ws: the token comes once, in connection_init; each operation re-checks the session.
  // ws would take messages up to 100 MiB, and graphql-ws parses connection_init before any token is checked.
  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, maxPayload: GRAPHQL_MAX_BODY_BYTES });
  wsServer.on('connection', expandSharedPushesOn);
  const wsContext = (ctx: WsContext<Record<string, unknown>, SocketExtra>, user: AuthenticatedUser, requestId: string): GraphQLContext => ({
    requestId,
    user,
    ip: ctx.extra.request.socket.remoteAddress ?? '',
    transport: 'ws',
    services,
    logger: logger.child({ requestId, userId: user.userId }),
  });
  const formatAll = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));
  const serverCleanup = useServer<Record<string, unknown>, WsAuth>(
    {
      isProd: !development,
      schema,
      subscribe: subscribeSharingPushes,
      onConnect: async (ctx) => {
        const token = wsToken(ctx.connectionParams);
        if (!token) {
          ctx.extra.socket.close(4401, 'Unauthorized: connectionParams.authorization is missing');
          return false;
        }
        try {
          ctx.extra.user = await auth.authenticate(token);
          return true;
        } catch (error) {
          const reason = error instanceof CallstreamError ? error.message : 'invalid token';
          ctx.extra.socket.close(4401, `Unauthorized: ${reason}`.slice(0, 120));
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const connected = ctx.extra.user;
        if (!connected) return [new GraphQLError('Not authenticated', { extensions: { code: 'UNAUTHENTICATED' } })];
        let user: AuthenticatedUser;
        try {
          user = await auth.currentSession(connected.userId, connected.sessionId);
          ctx.extra.user = user;
        } catch (error) {
          const reason = error instanceof CallstreamError ? error.message : 'session ended';
          ctx.extra.socket.close(4403, `Forbidden: ${reason}`.slice(0, 120));
          return [new GraphQLError(reason, { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: config.graphqlMaxTokens });
        } catch (error) {
          const message = error instanceof GraphQLError ? error.message : 'Syntax error';
          return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const errors = validate(schema, document, [...specifiedRules, ...rules]);
        if (errors.length > 0) {
          return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { ...e.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } }));
        }
        try {
          assertComplexity(schema, document, payload.variables ?? undefined, payload.operationName, config.graphqlMaxComplexity);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const args: ExecutionArgs = {
          schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          contextValue: wsContext(ctx, user, randomUUID()),
        };
        return args;
      },
      // A push shared by many subscribers is serialised once (api/graphql/sharedPushes.ts).
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: formatAll(result.errors) } : (serialiseSharedPush(result) as FormattedExecutionResult | undefined)),
      onError: (_ctx, _id, _payload, errors) => formatAll(errors),
    },
    wsServer,
  );

  let wsDisposed: Promise<void> | undefined;
  const disposeWs = (): Promise<void> => (wsDisposed ??= Promise.resolve(serverCleanup.dispose()));
  const disposeWsPlugin: ApolloServerPlugin = {
    serverWillStart: async () => ({
      drainServer: disposeWs,
    }),
  };

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: development,
    introspection: true,
    validationRules: rules,
    parseOptions: { maxTokens: config.graphqlMaxTokens },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      disposeWsPlugin,
      complexityPlugin(schema, config.graphqlMaxComplexity),
      ...(development ? [] : [ApolloServerPluginLandingPageDisabled()]),
    ],
  });
  await apollo.start();

  let closing = false;
  app.use(helmet(development ? { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false } : {}));
  app.use(cors({ origin: corsOrigin(config.corsOrigins), maxAge: 600 }));
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req, res) => {
    if (closing || !options.readiness) {
      res.status(closing ? 503 : 200).json({ status: closing ? 'closing' : 'ok' });
      return;
    }
    const report = await options.readiness.evaluate();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  });
  const limits = options.rateLimits;
  if (limits?.webhooks) app.post([...DEFAULT_WEBHOOK_PATHS], perIpLimit('webhooks', limits.webhooks, limits.onLimited));
  if (limits?.graphql) app.use(GRAPHQL_PATH, perIpLimit('graphql', limits.graphql, limits.onLimited));
  for (const { path, router } of options.routers ?? []) app.use(path, router);
  app.use(RECORDINGS_PATH, createRecordingRouter({ links: recordingLinks, recordings, logger }));

  const httpContext = async ({ req, res }: { req: Request; res: express.Response }): Promise<GraphQLContext> => {
    const header = req.get('x-request-id');
    const requestId = header && REQUEST_ID.test(header) ? header : randomUUID();
    res.setHeader('x-request-id', requestId);
    const authorization = req.get('authorization');
    let user: AuthenticatedUser | null = null;
    let authError: CallstreamError | undefined;
    if (authorization !== undefined) {
      const token = bearerToken(authorization);
      if (!token) authError = new UnauthenticatedError('The Authorization header must be "Bearer <access token>"');
      else {
        try {
          user = await auth.authenticate(token);
        } catch (error) {
          if (!(error instanceof CallstreamError)) throw error;
          authError = error;
        }
      }
    }
    return {
      requestId,
      user,
      ...(authError ? { authError } : {}),
      ip: req.ip ?? req.socket.remoteAddress ?? '',
      transport: 'http',
      services,
      logger: logger.child({ requestId, ...(user ? { userId: user.userId } : {}) }),
    };
  };
  app.use(GRAPHQL_PATH, express.json({ limit: GRAPHQL_MAX_BODY_BYTES }), expressMiddleware(apollo, { context: httpContext }), graphqlBodyErrors);

  return {
    app,
    httpServer,
    schema,
    services,
    listen: (port = config.port, host = config.host) =>
      new Promise<AddressInfo>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const address = httpServer.address() as AddressInfo;
          logger.info({ port: address.port, host: address.address, path: GRAPHQL_PATH }, 'API listening');
          resolve(address);
        });
      }),
    close: async () => {
      if (closing) return;
      closing = true;
      stopSessionFeed();
      await apollo.stop();
      await disposeWs();
      await live.close();
      await feeds.close();
      await ownConfiguration?.stop();
      await userDirectory.close();
      logger.info('API stopped');
    },
  };
};
