import type { ReadModelStore } from '../infrastructure/readModels/readModelStore';
import { findAllDocuments, getDocument } from '../shared/queries';
import { secondsFrom, toMs } from '../shared/time';
import { QUEUE_COLLECTIONS, QUEUE_PROJECTION } from './queueProjection';
import type { QueueViewDoc, WaitingCallView } from './queueView';

export type { QueueViewDoc, WaitingCallView, QueueAgentCounters } from './queueView';

/** Every queue view, by queue id. */
export const queueViews = (store: ReadModelStore): Promise<QueueViewDoc[]> =>
  findAllDocuments<QueueViewDoc>(store, QUEUE_PROJECTION, QUEUE_COLLECTIONS.queues, {}, [{ field: 'queueId', direction: 'asc' }]);

export const queueView = (store: ReadModelStore, queueId: string): Promise<QueueViewDoc | null> =>
  getDocument<QueueViewDoc>(store, QUEUE_PROJECTION, QUEUE_COLLECTIONS.queues, queueId);

/** The queue entry of a call waiting (or keeping its place for a callback), with its queue id. */
export const waitingCall = async (store: ReadModelStore, callId: string): Promise<(WaitingCallView & { queueId: string }) | null> => {
  for (const view of await queueViews(store)) {
    const call = view.calls.find((c) => c.callId === callId);
    if (call) return { ...call, queueId: view.queueId };
  }
  return null;
};

/** Pending callbacks in position order, of one queue or of all. */
export const pendingCallbacks = async (store: ReadModelStore, queueId?: string): Promise<Array<WaitingCallView & { queueId: string }>> => {
  const views = queueId === undefined ? await queueViews(store) : [await queueView(store, queueId)].filter((v): v is QueueViewDoc => v !== null);
  return views.flatMap((view) => view.calls.filter((c) => c.kind === 'callback').map((c) => ({ ...c, queueId: view.queueId })));
};

/**
 * The same view with waits counted up to `at` instead of the last event (e.g. the time of a request
 * or of a wallboard tick). Positions and estimated waits stay as of the last event.
 */
export const withWaitsAt = (view: QueueViewDoc, at: string): QueueViewDoc => {
  const nowMs = toMs(at);
  if (Number.isNaN(nowMs) || (view.asOf !== null && at < view.asOf)) return view;
  const calls = view.calls.map((c) => ({ ...c, waitedSeconds: secondsFrom(toMs(c.enqueuedAt), nowMs) }));
  const longestWaitSeconds = calls.filter((c) => c.kind === 'call').reduce((max, c) => Math.max(max, c.waitedSeconds), 0);
  return { ...view, calls, longestWaitSeconds };
};
