import type { PreviousCall } from '../../api/crm/crmPort';
import type { Filter, Page, ReadModelStore, FieldCondition } from '../infrastructure/readModels/readModelStore';
import { findDocuments, getDocument, pageSize } from '../shared/queries';
import { CALL_HISTORY_COLLECTIONS, CALL_HISTORY_PROJECTION } from './callHistoryProjection';
import { timelineItem, type CallAgentDoc, type CallHistoryDoc, type HistoryOutcome, type TimelineItem } from './callHistoryView';

export type { CallHistoryDoc, HistoryOutcome, TimelineEntry, TimelineItem, DecisionView, OfferView, ConnectionView, RecordingView, CallLegView, QueueVisit } from './callHistoryView';

export interface CallHistoryFilter {
  /** Calls that started at or after this instant (ISO). */
  from?: string;
  /** Calls that started before this instant (ISO). */
  to?: string;
  queueId?: string;
  /** Calls this agent was connected to (any of the agents of a transferred call). */
  agentId?: string;
  outcome?: HistoryOutcome;
  callerNumber?: string;
}

export interface PageRequest {
  after?: string;
  limit?: number;
}

export const callById = (store: ReadModelStore, callId: string): Promise<CallHistoryDoc | null> =>
  getDocument<CallHistoryDoc>(store, CALL_HISTORY_PROJECTION, CALL_HISTORY_COLLECTIONS.calls, callId);

const startedAtCondition = (filter: CallHistoryFilter): FieldCondition | undefined => {
  if (filter.from === undefined && filter.to === undefined) return undefined;
  return { ...(filter.from !== undefined ? { $gte: filter.from } : {}), ...(filter.to !== undefined ? { $lt: filter.to } : {}) };
};

/** The call history, newest first, with cursor pagination. */
export const callHistory = async (store: ReadModelStore, filter: CallHistoryFilter = {}, page: PageRequest = {}): Promise<Page<CallHistoryDoc>> => {
  const where: Filter = {};
  const startedAt = startedAtCondition(filter);
  if (startedAt) where.startedAt = startedAt;
  if (filter.queueId !== undefined) where.queueId = filter.queueId;
  if (filter.outcome !== undefined) where.outcome = filter.outcome;
  if (filter.callerNumber !== undefined) where.callerNumber = filter.callerNumber;
  const options = { sort: [{ field: 'startedAt', direction: 'desc' as const }], limit: pageSize(page.limit), ...(page.after ? { after: page.after } : {}) };
  if (filter.agentId === undefined) return findDocuments<CallHistoryDoc>(store, CALL_HISTORY_PROJECTION, CALL_HISTORY_COLLECTIONS.calls, where, options);
  const links = await findDocuments<CallAgentDoc>(store, CALL_HISTORY_PROJECTION, CALL_HISTORY_COLLECTIONS.callAgents, { ...where, agentId: filter.agentId }, options);
  const calls = await Promise.all(links.items.map((link) => callById(store, link.callId)));
  return { items: calls.filter((c): c is CallHistoryDoc => c !== null), ...(links.nextCursor ? { nextCursor: links.nextCursor } : {}) };
};

/** Recorded voicemails, newest first. */
export const voicemails = (store: ReadModelStore, filter: { queueId?: string } = {}, page: PageRequest = {}): Promise<Page<CallHistoryDoc>> =>
  findDocuments<CallHistoryDoc>(
    store,
    CALL_HISTORY_PROJECTION,
    CALL_HISTORY_COLLECTIONS.calls,
    { voicemailAt: { $gt: '' }, ...(filter.queueId !== undefined ? { 'voicemail.queueId': filter.queueId } : {}) },
    { sort: [{ field: 'voicemailAt', direction: 'desc' }], limit: pageSize(page.limit), ...(page.after ? { after: page.after } : {}) },
  );

/** The latest calls of a number, for the screen pop (`RecordCallerIdentity.previousCalls`). */
export const previousCalls = async (store: ReadModelStore, callerNumber: string, limit = 5): Promise<PreviousCall[]> => {
  const page = await callHistory(store, { callerNumber }, { limit });
  return page.items.map((c) => ({ callId: c.callId, startedAt: c.startedAt ?? '', outcome: c.outcome, queueId: c.queueId, agentId: c.agentId }));
};

/** A call's timeline as objects (the document stores compact tuples). */
export const timelineOf = (call: Pick<CallHistoryDoc, 'timeline'>): TimelineItem[] => call.timeline.map(timelineItem);
