import { createSourceEventStream, execute, getOperationAST, Kind, print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { Extensions } from 'type-graphql';
import type { WebSocket } from 'ws';

const SHARED_PUSH = 'sharedPush';

/**
 * Marks a subscription field whose push does not depend on who receives it (the subscriber's rights
 * are applied before, by filtering the events it gets). Subscribers sending the same operation then
 * share one execution per event instead of executing it once each.
 */
export const SharedPush = (): MethodDecorator => Extensions({ [SHARED_PUSH]: true });

type MaybePromise<T> = T | Promise<T>;

/** Per event (the payload object the pubSub hands to every subscriber), the result per operation. */
const resultsByEvent = new WeakMap<object, Map<string, MaybePromise<ExecutionResult>>>();

/** The key of an operation whose every root field shares its pushes, or null. */
const sharingKey = (args: ExecutionArgs): string | null => {
  const operation = getOperationAST(args.document, args.operationName);
  const fields = args.schema.getSubscriptionType()?.getFields();
  if (operation?.operation !== 'subscription' || !fields) return null;
  const shared = operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && fields[s.name.value]?.extensions?.[SHARED_PUSH] === true);
  return shared ? `${print(operation)}\u0000${JSON.stringify(args.variableValues ?? {})}` : null;
};

/**
 * graphql-ws's `subscribe`: graphql's own (source stream, then one execution per event), except that
 * for a shared operation an event's execution is done once and reused by every subscriber with the
 * same operation and variables.
 */
export const subscribeSharingPushes = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
  const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const key = sharingKey(args);
  const run = (event: unknown): MaybePromise<ExecutionResult> => execute({ ...args, rootValue: event });
  const resultOf = (event: unknown): MaybePromise<ExecutionResult> => {
    if (key === null || typeof event !== 'object' || event === null) return run(event);
    let byOperation = resultsByEvent.get(event);
    if (!byOperation) {
      byOperation = new Map();
      resultsByEvent.set(event, byOperation);
    }
    let result = byOperation.get(key);
    if (!result) {
      result = Promise.resolve(run(event)).then((executed) => {
        sharedResults.add(executed);
        return executed;
      });
      byOperation.set(key, result);
    }
    return result;
  };
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    next: async () => {
      const step = await iterator.next();
      return step.done ? { done: true, value: undefined } : { done: false, value: await resultOf(step.value) };
    },
    return: async () => {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    throw: async (error?: unknown) => {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return mapped;
};

// ---- serialising a shared push once -----------------------------------------------------------

const sharedResults = new WeakSet<object>();
const serialised = new WeakMap<object, SerialisedPayload>();
/** Serialised payloads by number, kept until far older pushes have surely been written out. */
const byNumber = new Map<number, Buffer>();
const KEPT = 1024;
let counter = 0;
const TOKEN = 'callstream-shared-payload:';
const TOKEN_AT_END = /"payload":"callstream-shared-payload:(\d+)"\}$/;
const CLOSE = Buffer.from('}');

/** A push payload serialised (and encoded) once; in a graphql-ws message it stands for itself until the socket expands it. */
class SerialisedPayload {
  readonly n = ++counter;

  constructor(json: string) {
    byNumber.set(this.n, Buffer.from(json));
    if (byNumber.size > KEPT) byNumber.delete(this.n - KEPT);
  }

  toJSON(): string {
    return `${TOKEN}${this.n}`;
  }
}

/**
 * graphql-ws `onNext`: a shared push without errors is serialised once for all its subscribers (each
 * message then only differs by its subscription id). Returns undefined for anything else.
 */
export const serialiseSharedPush = (result: ExecutionResult): SerialisedPayload | undefined => {
  if (result.errors || !sharedResults.has(result)) return undefined;
  let payload = serialised.get(result);
  if (!payload) {
    payload = new SerialisedPayload(JSON.stringify(result));
    serialised.set(result, payload);
  }
  return payload;
};

/** The outgoing graphql-ws message with the serialised payload put back in (the bytes are copied, not encoded again), or the message as it is. */
export const expandSharedPush = (data: string): string | Buffer => {
  if (!data.endsWith('"}')) return data;
  const match = TOKEN_AT_END.exec(data);
  const json = match ? byNumber.get(Number(match[1])) : undefined;
  if (!match || json === undefined) return data;
  return Buffer.concat([Buffer.from(`${data.slice(0, match.index)}"payload":`), json, CLOSE]);
};

type SendRest = [callback?: (error?: Error) => void] | [options: Record<string, unknown>, callback?: (error?: Error) => void];

/** Expands shared payloads in what graphql-ws sends on this socket (install before graphql-ws handles the connection). */
export const expandSharedPushesOn = (socket: WebSocket): void => {
  const send = socket.send.bind(socket) as (data: unknown, ...rest: unknown[]) => void;
  socket.send = ((data: unknown, ...rest: SendRest) => {
    const expanded = typeof data === 'string' ? expandSharedPush(data) : data;
    if (typeof expanded === 'string' || expanded === data) return send(data, ...rest);
    // Still a text message, though handed over as bytes.
    const [first, second] = rest;
    return typeof first === 'function' || first === undefined ? send(expanded, { binary: false }, first) : send(expanded, { ...first, binary: false }, second);
  }) as WebSocket['send'];
};
