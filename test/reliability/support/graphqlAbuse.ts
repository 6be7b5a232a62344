import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getNamedType, isInterfaceType, isNonNullType, isObjectType, Lexer, Source, TokenKind, type GraphQLField, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import type { FormattedExecutionResult } from 'graphql-ws';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { SESSION_SECRET_FILE } from '../../../api/auth/sessionSecret';
import type { AuthExtension } from '../../../api/graphql/authorization';
import type { Harness } from '../../graphql/support/apiHarness';

export interface Operation {
  query: string;
  variables?: Record<string, unknown>;
}

/** What one operation over graphql-ws came to: a result, an error message, or the socket closed. */
export type WsOutcome =
  | { kind: 'result'; result: FormattedExecutionResult<Record<string, unknown>, unknown> }
  | { kind: 'errors'; code: string | undefined; message: string | undefined }
  | { kind: 'closed'; code: number; reason: string };

/** Runs one operation on a connection of its own (connectionParams as given) and reports how it ended. */
export const wsOutcome = async (h: Harness, connectionParams: Record<string, unknown>, operation: Operation): Promise<WsOutcome> => {
  let closed: { code: number; reason: string } | undefined;
  const client = h.wsClient(connectionParams, (code, reason) => (closed ??= { code, reason }));
  try {
    return await new Promise<WsOutcome>((resolve) => {
      client.subscribe(operation, {
        next: (result) => resolve({ kind: 'result', result }),
        error: (error: unknown) => {
          if (Array.isArray(error)) {
            const [first] = error as Array<{ message?: string; extensions?: { code?: string } }>;
            resolve({ kind: 'errors', code: first?.extensions?.code, message: first?.message });
          } else {
            const event = error as { code?: number; reason?: string };
            resolve({ kind: 'closed', code: event.code ?? closed?.code ?? 0, reason: event.reason ?? closed?.reason ?? '' });
          }
        },
        complete: () => resolve(closed ? { kind: 'closed', ...closed } : { kind: 'result', result: {} }),
      });
    });
  } finally {
    await client.dispose();
  }
};

/** The GraphQL error code an outcome carries: the first error's code, or `close:<code>`. */
export const wsCode = (outcome: WsOutcome): string | undefined => {
  switch (outcome.kind) {
    case 'errors':
      return outcome.code;
    case 'closed':
      return `close:${outcome.code}`;
    case 'result':
      return outcome.result.errors?.[0]?.extensions?.code as string | undefined;
  }
};

/**
 * Speaks graphql-transport-ws by hand: connection_init with the token, then `message` as it is (an
 * array of subscribe messages, say, which no client library would send). Resolves with the close code.
 */
export const rawWsClose = (h: Harness, token: string, message: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(h.wsUrl, 'graphql-transport-ws');
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('the socket stayed open'));
    }, 10_000);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      const parsed = JSON.parse(String(data)) as { type?: string };
      if (parsed.type === 'connection_ack') socket.send(message);
    });
    socket.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    socket.on('error', () => undefined);
  });

/** Tokens in a document, as graphql's lexer counts them for `maxTokens`. */
export const tokenCount = (document: string): number => {
  const lexer = new Lexer(new Source(document));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count += 1;
  return count;
};

// ---- deep selections from the real schema ----------------------------------------------------------

const requiresArguments = (field: GraphQLField<unknown, unknown>): boolean => field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined);

/** The deepest selection under a type through fields that need no arguments, and its depth (nested fields with a selection set). */
export const deepestSelection = (type: GraphQLNamedType, memo = new Map<string, { depth: number; text: string }>()): { depth: number; text: string } => {
  if (!isObjectType(type) && !isInterfaceType(type)) return { depth: 0, text: '' };
  const known = memo.get(type.name);
  if (known) return known;
  let best = { depth: 0, text: '__typename' };
  for (const field of Object.values(type.getFields())) {
    if (requiresArguments(field)) continue;
    const inner = deepestSelection(getNamedType(field.type), memo);
    if (inner.text !== '' && inner.depth + 1 > best.depth) best = { depth: inner.depth + 1, text: `${field.name} { ${inner.text} }` };
  }
  memo.set(type.name, best);
  return best;
};

/** The roles a root field allows (its @Allow extension). */
export const rolesOf = (field: GraphQLField<unknown, unknown>): string[] => (field.extensions as { auth?: AuthExtension }).auth?.roles ?? [];

export interface DeepRoot {
  field: string;
  type: string;
  roles: string[];
  /** Depth of the operation `{ field { selection } }`. */
  depth: number;
  selection: string;
}

/** Root query fields without required arguments whose deepest selection nests deeper than `maxDepth`. */
export const deepQueryRoots = (schema: GraphQLSchema, maxDepth: number): DeepRoot[] =>
  Object.values(schema.getQueryType()?.getFields() ?? {})
    .filter((field) => !requiresArguments(field) && !field.name.startsWith('__'))
    .map((field) => {
      const type = getNamedType(field.type);
      const inner = deepestSelection(type);
      return { field: field.name, type: type.name, roles: rolesOf(field), depth: inner.depth + 1, selection: inner.text };
    })
    .filter((root) => root.selection !== '' && root.depth > maxDepth);

// ---- tokens an attacker might present -------------------------------------------------------------

const ISSUER = 'callstream';
const ACCESS_AUDIENCE = 'callstream-api';

/** The session secret the embedded API generated into its data directory. */
export const sessionSecretOf = (h: Harness): string => readFileSync(join(h.config.dataDir, SESSION_SECRET_FILE), 'utf8').trim();

const base64url = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');

export interface Claims {
  sub: string;
  sid: string;
  roles: string[];
  agentId?: string;
}

/** An HS256 JWT with `claims`, signed with `secret`; `overrides` change issuer, audience, algorithm or times. */
export const signToken = async (
  secret: string,
  claims: Claims,
  overrides: { issuer?: string; audience?: string; algorithm?: 'HS256' | 'HS384' | 'HS512'; issuedAt?: number; expiresAt?: number } = {},
): Promise<string> => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: claims.roles, sid: claims.sid, ...(claims.agentId ? { agentId: claims.agentId } : {}) })
    .setProtectedHeader({ alg: overrides.algorithm ?? 'HS256', typ: 'JWT' })
    .setIssuer(overrides.issuer ?? ISSUER)
    .setAudience(overrides.audience ?? ACCESS_AUDIENCE)
    .setSubject(claims.sub)
    .setIssuedAt(overrides.issuedAt ?? now)
    .setExpirationTime(overrides.expiresAt ?? now + 600)
    .sign(new TextEncoder().encode(secret));
};

/** An unsigned JWT (`alg` none, in the spelling given), with or without a signature part after all. */
export const unsignedToken = (claims: Claims, alg: string, signature = ''): string => {
  const now = Math.floor(Date.now() / 1000);
  return `${base64url({ alg, typ: 'JWT' })}.${base64url({ ...claims, iss: ISSUER, aud: ACCESS_AUDIENCE, iat: now, exp: now + 600 })}.${signature}`;
};

/** The claims of a token, read without checking it. */
export const claimsOf = (token: string): Claims => {
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Claims;
  return { sub: payload.sub, sid: payload.sid, roles: payload.roles, ...(payload.agentId ? { agentId: payload.agentId } : {}) };
};
