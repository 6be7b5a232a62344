import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createLogger } from '../../../api/core/logger';
import type { ResolverClass } from '../../../api/graphql/resolvers';
import { loadApiConfig, type ApiConfig } from '../../../api/http/config';
import { createApiServer, type ApiServer } from '../../../api/http/server';
import { SqliteEventStore } from '../../../api/infrastructure/eventStore/sqlite/sqliteEventStore';
import { embeddedFromSimulator, loadTelnyxConfig } from '../../../api/infrastructure/telnyx/config';
import { SdkTelnyxAdapter } from '../../../api/infrastructure/telnyx/sdkTelnyxAdapter';
import { SqliteReadModelStore } from '../../../projections/infrastructure/readModels/embedded/sqliteReadModelStore';
import { ProjectionDaemon } from '../../../projections/projectionDaemon';
import { allProjections } from '../../../projections/registry';
import { createSimulator, type Simulator } from '../../../simulator';

export const ADMIN = { username: 'root', password: 'root-password-1' };
export const PASSWORD = 'password-123';

export interface GraphQLErrorBody {
  message: string;
  path?: string[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: GraphQLErrorBody[];
  headers: Headers;
}

export interface LoginData {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: string;
  me: { userId: string; username: string; roles: string[]; agentId: string | null; sessionId: string; deviceId: string };
  telephony: { loginToken: string; sipUsername: string; expiresAt: string } | null;
  telephonyError: string | null;
}

export const LOGIN = `mutation Login($username: String!, $password: String!, $deviceId: String!) {
  login(username: $username, password: $password, deviceId: $deviceId) {
    accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt
    me { userId username roles agentId sessionId deviceId }
    telephony { loginToken sipUsername expiresAt }
    telephonyError
  }
}`;

export const CREATE_USER = `mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) { id username roles agentId active }
}`;

export interface Harness {
  url: string;
  wsUrl: string;
  server: ApiServer;
  sim: Simulator;
  events: SqliteEventStore;
  readModels: SqliteReadModelStore;
  /** Running when the harness was started with `projections: true`. */
  projections: ProjectionDaemon | null;
  dir: string;
  config: ApiConfig;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  login(username: string, password?: string, deviceId?: string): Promise<LoginData>;
  /** Creates a user as the env admin and returns its id. */
  createUser(input: { username: string; roles: string[]; agentId?: string; password?: string }): Promise<string>;
  adminToken(): Promise<string>;
  wsClient(connectionParams: Record<string, unknown>, onClosed?: (code: number, reason: string) => void): Client;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  extraResolvers?: ResolverClass[];
  /** Run every projection in this process (the read models follow the event store). */
  projections?: boolean;
}

/** The real Telnyx adapter on the SDK, against the in-process simulator, without retries. */
export const createTelnyx = (sim: Simulator): SdkTelnyxAdapter =>
  new SdkTelnyxAdapter(loadTelnyxConfig({ TELNYX_MAX_RETRIES: '0', TELNYX_TIMEOUT_MS: '5000' }, embeddedFromSimulator(sim)), { logger: createLogger('telnyx', 'silent') });

export const startHarness = async (options: HarnessOptions = {}): Promise<Harness> => {
  const dir = mkdtempSync(join(tmpdir(), 'callstream-graphql-'));
  const sim = await createSimulator({ logLevel: 'silent' });
  const events = new SqliteEventStore({ dataDir: dir });
  const readModels = new SqliteReadModelStore({ dataDir: dir });
  const config = loadApiConfig({
    NODE_ENV: 'test',
    CALLSTREAM_DATA_DIR: dir,
    CALLSTREAM_ADMIN_USERNAME: ADMIN.username,
    CALLSTREAM_ADMIN_PASSWORD: ADMIN.password,
    CALLSTREAM_BCRYPT_COST: '4',
    ...options.env,
  });
  const telnyx = createTelnyx(sim);
  const server = await createApiServer({ eventStore: events, readModels, telnyx, config, logger: createLogger('test', 'silent'), extraResolvers: options.extraResolvers });
  const projections = options.projections ? new ProjectionDaemon(events, readModels, allProjections, createLogger('projections', 'silent')) : null;
  projections?.start();
  const address = await server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${address.port}/graphql`;
  const wsUrl = `ws://127.0.0.1:${address.port}/graphql`;
  const clients: Client[] = [];
  let adminAccessToken: string | undefined;

  const gql: Harness['gql'] = async (query, variables, token, headers = {}) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: never; errors?: GraphQLErrorBody[] };
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  };

  const login: Harness['login'] = async (username, password = PASSWORD, deviceId = 'device-1') => {
    const res = await gql<{ login: LoginData }>(LOGIN, { username, password, deviceId });
    if (!res.data?.login) throw new Error(`login of ${username} failed: ${JSON.stringify(res.errors)}`);
    return res.data.login;
  };

  const adminToken = async (): Promise<string> => {
    adminAccessToken ??= (await login(ADMIN.username, ADMIN.password, 'admin-console')).accessToken;
    return adminAccessToken;
  };

  return {
    url,
    wsUrl,
    server,
    sim,
    events,
    readModels,
    projections,
    dir,
    config,
    gql,
    login,
    adminToken,
    createUser: async ({ username, roles, agentId, password = PASSWORD }) => {
      const res = await gql<{ createUser: { id: string } }>(CREATE_USER, { input: { username, roles, agentId, password } }, await adminToken());
      if (!res.data?.createUser) throw new Error(`createUser ${username} failed: ${JSON.stringify(res.errors)}`);
      return res.data.createUser.id;
    },
    wsClient: (connectionParams, onClosed) => {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams,
        retryAttempts: 0,
        lazy: true,
        on: {
          closed: (event) => {
            const { code, reason } = event as { code: number; reason: string };
            onClosed?.(code, reason);
          },
        },
      });
      clients.push(client);
      return client;
    },
    close: async () => {
      for (const client of clients) await client.dispose();
      await server.close();
      await projections?.stop();
      await sim.close();
      await readModels.close();
      await events.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** The `extensions.code` of the first error, or undefined. */
export const errorCode = (res: GraphQLResponse<unknown>): string | undefined => res.errors?.[0]?.extensions?.code;

/** An agent profile as the configureAgentProfile mutation takes it. */
export const agentProfileInput = (agentId: string, extra: Record<string, unknown> = {}) => ({
  agentId,
  name: `Agent ${agentId}`,
  skills: [{ skill: 'technical', level: 3 }],
  languages: ['en'],
  departments: ['support'],
  maxNoAnswer: 3,
  wrapUpSeconds: 30,
  mayCallOut: true,
  supervisor: false,
  ...extra,
});
