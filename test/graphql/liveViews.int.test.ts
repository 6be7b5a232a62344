import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../api/core/logger';
import { LiveViews } from '../../api/graphql/liveViews';
import { createCallstreamPubSub, TOPICS } from '../../api/graphql/pubSub';
import { ReadModelFeeds } from '../../api/graphql/readModelFeeds';
import { Queue } from '../../api/queues/queueTypes';
import { SqliteReadModelStore } from '../../projections/infrastructure/readModels/embedded/sqliteReadModelStore';
import { queueDoc } from './support/readModelDocs';

describe('live views', () => {
  let dir: string;
  let readModels: SqliteReadModelStore;
  let feeds: ReadModelFeeds;
  let live: LiveViews;
  const pubSub = createCallstreamPubSub();

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'callstream-live-'));
    readModels = new SqliteReadModelStore({ dataDir: dir });
    const logger = createLogger('test', 'silent');
    feeds = new ReadModelFeeds({ readModels, logger });
    live = new LiveViews({ feeds, pubSub, readModels, logger, clock: () => new Date() });
  });

  afterAll(async () => {
    await live.close();
    await feeds.close();
    await readModels.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const push = (queueId: string, waiting: number, position: bigint): void =>
    pubSub.publish(TOPICS.QUEUE_CHANGED, { id: queueId, position, view: Queue.from(queueDoc(queueId, { waiting })) });

  it('gives a subscriber that fell behind the newest version of each queue, in the order the queues changed', async () => {
    const pushes = live.subscribe(TOPICS.QUEUE_CHANGED);
    push('sales', 1, 1n);
    push('support', 5, 2n);
    push('sales', 2, 3n);
    push('sales', 3, 4n);
    await new Promise((resolve) => setImmediate(resolve));

    const taken = [await pushes.next(), await pushes.next()].map((step) => (step.done ? null : [step.value.id, step.value.view.waiting, step.value.position]));
    expect(taken).toEqual([
      ['sales', 3, 4n],
      ['support', 5, 2n],
    ]);
    push('support', 6, 5n);
    const next = await pushes.next();
    expect(next.done ? null : next.value.view.waiting).toBe(6);
    expect(live.subscriberCount(TOPICS.QUEUE_CHANGED)).toBe(1);
    await pushes.return?.();
    expect(live.subscriberCount(TOPICS.QUEUE_CHANGED)).toBe(0);
  });

  it('drops what the filter refuses before it is buffered', async () => {
    const pushes = live.subscribe(TOPICS.QUEUE_CHANGED, undefined, (change) => change.id === 'vip');
    push('sales', 1, 10n);
    push('vip', 2, 11n);
    const step = await pushes.next();
    expect(step.done ? null : step.value.id).toBe('vip');
    const ended = pushes.next();
    await pushes.return?.();
    expect((await ended).done).toBe(true);
  });
});
