/**
 * Groups an async iterator into batches: a batch is emitted when it holds `maxSize` items, or when the
 * source has nothing more to give within `maxWaitMs` (so a live tail is flushed promptly and a replay
 * is written in large batches). The pending `next()` is carried over, never dropped.
 */
export async function* batches<T>(source: AsyncIterable<T>, maxSize: number, maxWaitMs: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | null = null;
  let batch: T[] = [];
  try {
    for (;;) {
      pending ??= iterator.next();
      let result: IteratorResult<T> | 'timeout';
      if (batch.length === 0) {
        result = await pending;
      } else {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), maxWaitMs);
        });
        result = await Promise.race([pending, timeout]);
        clearTimeout(timer);
      }
      if (result === 'timeout') {
        yield batch;
        batch = [];
        continue;
      }
      pending = null;
      if (result.done) {
        if (batch.length > 0) yield batch;
        return;
      }
      batch.push(result.value);
      if (batch.length >= maxSize) {
        yield batch;
        batch = [];
      }
    }
  } finally {
    // With a next() still pending (an idle live tail), return() would queue behind it: the owner ends
    // the source (subscription.close()) and the pending next settles then.
    if (pending) void iterator.return?.();
    else await iterator.return?.();
  }
}
