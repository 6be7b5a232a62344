import { z } from 'zod';
import { ValidationError } from '../core/errors';

/** Defaults documented in the README for the embedded demo (CALLSTREAM_SEED_DEMO=true). */
export const DEMO_DEFAULT_PASSWORD = 'callstream-demo';

const emptyAsUndefined = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());

const flag = (defaultValue: boolean) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: 'must be true or false' })
      .default(defaultValue ? 'true' : 'false')
      .transform((v) => ['true', '1', 'yes', 'on'].includes(v)),
  );

const intIn = (min: number, max: number, defaultValue: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(min).max(max).default(defaultValue));

const origins = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .default('http://localhost:4200')
    .transform((v) => v.split(',').map((o) => o.trim()).filter((o) => o.length > 0))
    .pipe(
      z.array(
        z.string().refine((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o), {
          message: "each origin is scheme://host[:port] without a path (or '*')",
        }),
      ),
    ),
);

const ApiEnv = z.object({
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(['development', 'production', 'test']).default('production')),
  PORT: intIn(0, 65535, 4000),
  HOST: z.preprocess(emptyAsUndefined, z.string().default('0.0.0.0')),
  CALLSTREAM_CORS_ORIGINS: origins,
  CALLSTREAM_TRUST_PROXY: z.preprocess(emptyAsUndefined, z.string().optional()),
  EVENTSTORE_URL: optionalString,
  CALLSTREAM_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('./data')),
  CALLSTREAM_SESSION_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  CALLSTREAM_ADMIN_USERNAME: optionalString,
  CALLSTREAM_ADMIN_PASSWORD: z.preprocess(emptyAsUndefined, z.string().min(10, 'must be at least 10 characters').optional()),
  CALLSTREAM_SEED_DEMO: flag(false),
  CALLSTREAM_DEMO_PASSWORD: z.preprocess(emptyAsUndefined, z.string().min(8, 'must be at least 8 characters').default(DEMO_DEFAULT_PASSWORD)),
  CALLSTREAM_BCRYPT_COST: intIn(4, 15, 10),
  CALLSTREAM_ACCESS_TOKEN_TTL_SECONDS: intIn(30, 24 * 3600, 15 * 60),
  CALLSTREAM_REFRESH_TOKEN_TTL_SECONDS: intIn(60, 30 * 24 * 3600, 12 * 3600),
  CALLSTREAM_LOGIN_MAX_FAILURES: intIn(1, 1000, 5),
  CALLSTREAM_LOGIN_FAILURE_WINDOW_SECONDS: intIn(1, 24 * 3600, 60),
  CALLSTREAM_GRAPHQL_MAX_DEPTH: intIn(2, 100, 12),
  CALLSTREAM_GRAPHQL_MAX_COMPLEXITY: intIn(10, 1_000_000, 2000),
  // Past some 40,000 tokens a document can nest or chain fragments deeply enough to overflow graphql's own validation.
  CALLSTREAM_GRAPHQL_MAX_TOKENS: intIn(100, 40_000, 10_000),
});

export interface ApiConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  corsOrigins: string[];
  /** express 'trust proxy' setting (hop count, subnet list or true), so req.ip is the client behind a load balancer. */
  trustProxy?: boolean | number | string;
  /** True when no EVENTSTORE_URL is set: the SQLite store, the simulator, a generated session secret. */
  embedded: boolean;
  dataDir: string;
  /** Absent only in embedded mode, where one is generated and kept under the data directory. */
  sessionSecret?: string;
  admin?: { username: string; password: string };
  seedDemo: boolean;
  demoPassword: string;
  bcryptCost: number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  loginMaxFailures: number;
  loginFailureWindowSeconds: number;
  graphqlMaxDepth: number;
  graphqlMaxComplexity: number;
  /** Tokens a GraphQL document may have; the parser stops past it (GRAPHQL_PARSE_FAILED). */
  graphqlMaxTokens: number;
}

const parseTrustProxy = (value: string | undefined): ApiConfig['trustProxy'] => {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
};

/** Reads and validates the API's environment once, at start; the error names the variable that is wrong. */
export const loadApiConfig = (env: NodeJS.ProcessEnv = process.env): ApiConfig => {
  const parsed = ApiEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  const embedded = e.EVENTSTORE_URL === undefined;
  if (!embedded && e.CALLSTREAM_SESSION_SECRET === undefined) {
    throw new ValidationError('Invalid environment variable CALLSTREAM_SESSION_SECRET: required (at least 32 characters) when EVENTSTORE_URL is set');
  }
  if ((e.CALLSTREAM_ADMIN_USERNAME === undefined) !== (e.CALLSTREAM_ADMIN_PASSWORD === undefined)) {
    const missing = e.CALLSTREAM_ADMIN_USERNAME === undefined ? 'CALLSTREAM_ADMIN_USERNAME' : 'CALLSTREAM_ADMIN_PASSWORD';
    throw new ValidationError(`Invalid environment variable ${missing}: CALLSTREAM_ADMIN_USERNAME and CALLSTREAM_ADMIN_PASSWORD go together`);
  }
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    corsOrigins: e.CALLSTREAM_CORS_ORIGINS,
    trustProxy: parseTrustProxy(e.CALLSTREAM_TRUST_PROXY),
    embedded,
    dataDir: e.CALLSTREAM_DATA_DIR,
    sessionSecret: e.CALLSTREAM_SESSION_SECRET,
    admin:
      e.CALLSTREAM_ADMIN_USERNAME !== undefined && e.CALLSTREAM_ADMIN_PASSWORD !== undefined
        ? { username: e.CALLSTREAM_ADMIN_USERNAME, password: e.CALLSTREAM_ADMIN_PASSWORD }
        : undefined,
    seedDemo: e.CALLSTREAM_SEED_DEMO,
    demoPassword: e.CALLSTREAM_DEMO_PASSWORD,
    bcryptCost: e.CALLSTREAM_BCRYPT_COST,
    accessTokenTtlSeconds: e.CALLSTREAM_ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.CALLSTREAM_REFRESH_TOKEN_TTL_SECONDS,
    loginMaxFailures: e.CALLSTREAM_LOGIN_MAX_FAILURES,
    loginFailureWindowSeconds: e.CALLSTREAM_LOGIN_FAILURE_WINDOW_SECONDS,
    graphqlMaxDepth: e.CALLSTREAM_GRAPHQL_MAX_DEPTH,
    graphqlMaxComplexity: e.CALLSTREAM_GRAPHQL_MAX_COMPLEXITY,
    graphqlMaxTokens: e.CALLSTREAM_GRAPHQL_MAX_TOKENS,
  };
};
