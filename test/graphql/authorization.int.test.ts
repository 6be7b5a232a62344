import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import type { AuthExtension } from '../../api/graphql/authorization';
import { errorCode, startHarness, type Harness } from './support/apiHarness';

/** Fields anyone may call. Adding one here is a deliberate decision. */
const PUBLIC_FIELDS = new Set(['Mutation.login', 'Mutation.refreshSession']);

const ROLES = ['agent', 'supervisor', 'analyst', 'admin'] as const;
type Role = (typeof ROLES)[number];

/** A value of the input type that passes coercion, so the request reaches the field's guard. */
const dummyValue = (type: GraphQLInputType): unknown => {
  const inner = getNullableType(type) as GraphQLInputType;
  if (isListType(inner)) return [dummyValue(inner.ofType)];
  if (isEnumType(inner)) return inner.getValues()[0].name;
  if (isInputObjectType(inner)) {
    return Object.fromEntries(
      Object.values(inner.getFields())
        .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined)
        .map((f) => [f.name, dummyValue(f.type)]),
    );
  }
  if (isScalarType(inner)) {
    switch (inner.name) {
      case 'Int':
        return 1;
      case 'Float':
        return 1.5;
      case 'Boolean':
        return true;
      case 'DateTimeISO':
        return '2024-01-01T00:00:00.000Z';
      default:
        return 'x';
    }
  }
  throw new Error(`no dummy value for ${String(inner)}`);
};

/** An operation calling one root field with its required arguments as variables. */
const operationFor = (kind: 'query' | 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>): { query: string; variables: Record<string, unknown> } => {
  const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  const declarations = required.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const args = required.map((a) => `${a.name}: $${a.name}`).join(', ');
  const named = getNamedType(field.type);
  const selection = isScalarType(named) || isEnumType(named) ? '' : ' { __typename }';
  const query = `${kind} Probe${declarations ? `(${declarations})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`;
  return { query, variables: Object.fromEntries(required.map((a) => [a.name, dummyValue(a.type)])) };
};

interface RootField {
  kind: 'query' | 'mutation' | 'subscription';
  id: string;
  field: GraphQLField<unknown, unknown>;
}

const rootFields = (h: Harness): RootField[] => {
  const roots: Array<[RootField['kind'], GraphQLObjectType | null | undefined]> = [
    ['query', h.server.schema.getQueryType()],
    ['mutation', h.server.schema.getMutationType()],
    ['subscription', h.server.schema.getSubscriptionType()],
  ];
  return roots.flatMap(([kind, type]) => (type ? Object.values(type.getFields()).map((field) => ({ kind, id: `${type.name}.${field.name}`, field })) : []));
};

const rolesOf = (field: GraphQLField<unknown, unknown>): Role[] | undefined => (field.extensions as { auth?: AuthExtension }).auth?.roles;

/** Runs one operation over graphql-ws and returns the first error code, if any. */
const wsErrorCode = async (h: Harness, token: string, operation: { query: string; variables: Record<string, unknown> }): Promise<string | undefined> => {
  const client = h.wsClient({ authorization: `Bearer ${token}` });
  try {
    for await (const result of client.iterate(operation)) return result.errors?.[0]?.extensions?.code as string | undefined;
  } catch (errors) {
    return (errors as Array<{ extensions?: { code?: string } }>)[0]?.extensions?.code;
  } finally {
    await client.dispose();
  }
  return undefined;
};

describe('every root field is guarded', () => {
  let h: Harness;
  const tokens = {} as Record<Role, string>;
  let fields: RootField[];

  beforeAll(async () => {
    h = await startHarness();
    await h.createUser({ username: 'only-agent', roles: ['AGENT'], agentId: 'only-agent' });
    await h.createUser({ username: 'only-supervisor', roles: ['SUPERVISOR'] });
    await h.createUser({ username: 'only-analyst', roles: ['ANALYST'] });
    await h.createUser({ username: 'only-admin', roles: ['ADMIN'] });
    for (const role of ROLES) tokens[role] = (await h.login(`only-${role}`)).accessToken;
    fields = rootFields(h);
  });

  afterAll(async () => {
    await h.close();
  });

  it('finds the fields of this part of the schema (the list grows as features add resolvers)', () => {
    const ids = fields.map((f) => f.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'Mutation.login',
        'Mutation.createUser',
        'Mutation.reportSoftphoneRegistration',
        'Query.me',
        'Query.users',
        'Subscription.sessionEvents',
        'Query.queues',
        'Query.agents',
        'Query.myDesk',
        'Query.wallboard',
        'Query.call',
        'Query.callHistory',
        'Query.routingDecisions',
        'Query.reports',
        'Query.voicemails',
        'Query.callbacks',
        'Query.recordingUrl',
        'Query.eventHistory',
        'Query.queuesAsOf',
        'Query.agentsAsOf',
        'Mutation.setMyStatus',
        'Mutation.pickCall',
        'Mutation.holdCall',
        'Mutation.transferCall',
        'Mutation.completeWrapUp',
        'Mutation.superviseCall',
        'Mutation.setAgentStatus',
        'Mutation.configureQueue',
        'Subscription.queueChanged',
        'Subscription.agentChanged',
        'Subscription.myDeskChanged',
        'Subscription.wallboardChanged',
        'Subscription.callChanged',
      ]),
    );
  });

  it('declares the allowed roles of every non-public field with @Allow', () => {
    const undeclared = fields.filter((f) => !PUBLIC_FIELDS.has(f.id) && !rolesOf(f.field)?.length).map((f) => f.id);
    expect(undeclared).toEqual([]);
  });

  it('answers UNAUTHENTICATED to every non-public query and mutation called without a token', async () => {
    const answers: Record<string, string | undefined> = {};
    for (const f of fields.filter((f) => f.kind !== 'subscription' && !PUBLIC_FIELDS.has(f.id))) {
      answers[f.id] = errorCode(await h.gql(operationFor(f.kind, f.field).query, operationFor(f.kind, f.field).variables));
    }
    expect(Object.entries(answers).filter(([, code]) => code !== 'UNAUTHENTICATED')).toEqual([]);
    expect(Object.keys(answers).length).toBeGreaterThan(5);
  });

  it('answers FORBIDDEN to every role a query or mutation does not allow', async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const f of fields.filter((f) => f.kind !== 'subscription' && !PUBLIC_FIELDS.has(f.id))) {
      const operation = operationFor(f.kind, f.field);
      for (const role of ROLES.filter((r) => !rolesOf(f.field)?.includes(r))) {
        const code = errorCode(await h.gql(operation.query, operation.variables, tokens[role]));
        checked++;
        if (code !== 'FORBIDDEN') wrong.push(`${f.id} as ${role}: ${code}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });

  it('answers FORBIDDEN over graphql-ws to every role a subscription does not allow', async () => {
    const wrong: string[] = [];
    for (const f of fields.filter((f) => f.kind === 'subscription')) {
      for (const role of ROLES.filter((r) => !rolesOf(f.field)?.includes(r))) {
        const code = await wsErrorCode(h, tokens[role], operationFor('subscription', f.field));
        if (code !== 'FORBIDDEN') wrong.push(`${f.id} as ${role}: ${code}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lets every allowed role past the guard of every query and mutation', async () => {
    // Ending the session would sign the probing user out of the remaining checks.
    const skipped = new Set(['Mutation.logout']);
    const stopped: string[] = [];
    let checked = 0;
    for (const f of fields.filter((f) => f.kind !== 'subscription' && !PUBLIC_FIELDS.has(f.id) && !skipped.has(f.id))) {
      const operation = operationFor(f.kind, f.field);
      for (const role of rolesOf(f.field) ?? []) {
        const res = await h.gql(operation.query, operation.variables, tokens[role]);
        checked++;
        const code = errorCode(res);
        // The dummy arguments may well be refused by the resolver itself (a call that is not the agent's own, an unknown id…), but not by the role guard.
        if (code === 'UNAUTHENTICATED' || (code === 'FORBIDDEN' && /needs one of the roles/.test(res.errors?.[0].message ?? ''))) stopped.push(`${f.id} as ${role}: ${code}`);
      }
    }
    expect(stopped).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it('lets the public fields through without a token', async () => {
    for (const id of PUBLIC_FIELDS) {
      const f = fields.find((x) => x.id === id);
      expect(f).toBeDefined();
      const operation = operationFor(f!.kind, f!.field);
      const res = await h.gql(operation.query, operation.variables);
      // The resolver itself refuses the dummy credentials, with its own message, not the guard's.
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
      expect(res.errors?.[0].message).toMatch(/^Invalid (username or password|refresh token)$/);
    }
  });
});
