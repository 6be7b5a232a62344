import type { Client, FormattedExecutionResult } from 'graphql-ws';

export interface Pushes<T> {
  /** The next push (waits for it). */
  next(): Promise<FormattedExecutionResult<T, unknown>>;
  /** The error the subscription ended with, if it ended with one. */
  error(): Promise<unknown>;
  dispose(): void;
}

/** Subscribes over graphql-ws and queues what arrives, so a test can take the pushes one by one. */
export const subscribe = <T = Record<string, unknown>>(client: Client, query: string, variables: Record<string, unknown> = {}): Pushes<T> => {
  const queue: Array<FormattedExecutionResult<T, unknown>> = [];
  const waiters: Array<(value: FormattedExecutionResult<T, unknown>) => void> = [];
  let failed: (error: unknown) => void = () => undefined;
  const failure = new Promise<unknown>((resolve) => {
    failed = resolve;
  });
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        const waiter = waiters.shift();
        if (waiter) waiter(value);
        else queue.push(value);
      },
      error: (error) => failed(error),
      complete: () => failed(undefined),
    },
  );
  return {
    next: () => {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve) => waiters.push(resolve));
    },
    error: () => failure,
    dispose,
  };
};
