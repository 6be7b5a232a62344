import type { FieldCondition, ReadModelDocument, ReadModelStore } from '../infrastructure/readModels/readModelStore';
import { findAllDocuments } from '../shared/queries';
import { REPORT_COLLECTIONS, REPORTS_PROJECTION } from './reportsProjection';
import type { AgentDayDoc, AgentIntervalDoc, QueueDayDoc, QueueIntervalDoc } from './reportViews';

export type { AgentDayDoc, AgentIntervalDoc, QueueDayDoc, QueueIntervalDoc, QueueMetrics, AgentMetrics, StateSeconds } from './reportViews';

/** Intervals starting in [from, to) (ISO instants), oldest first. */
export interface IntervalRange {
  from: string;
  to: string;
}

/** Days in [fromDate, toDate] (YYYY-MM-DD, the center's time zone), oldest first. */
export interface DayRange {
  fromDate: string;
  toDate: string;
}

const inRange = <T extends ReadModelDocument>(
  store: ReadModelStore,
  collection: string,
  owner: { field: 'queueId' | 'agentId'; id: string | undefined },
  time: { field: 'intervalStart' | 'date'; condition: FieldCondition },
): Promise<T[]> =>
  findAllDocuments<T>(store, REPORTS_PROJECTION, collection, { ...(owner.id !== undefined ? { [owner.field]: owner.id } : {}), [time.field]: time.condition }, [
    { field: time.field, direction: 'asc' },
    { field: owner.field, direction: 'asc' },
  ]);

export const queueIntervals = (store: ReadModelStore, range: IntervalRange & { queueId?: string }): Promise<QueueIntervalDoc[]> =>
  inRange(store, REPORT_COLLECTIONS.queueIntervals, { field: 'queueId', id: range.queueId }, { field: 'intervalStart', condition: { $gte: range.from, $lt: range.to } });

export const agentIntervals = (store: ReadModelStore, range: IntervalRange & { agentId?: string }): Promise<AgentIntervalDoc[]> =>
  inRange(store, REPORT_COLLECTIONS.agentIntervals, { field: 'agentId', id: range.agentId }, { field: 'intervalStart', condition: { $gte: range.from, $lt: range.to } });

export const queueDays = (store: ReadModelStore, range: DayRange & { queueId?: string }): Promise<QueueDayDoc[]> =>
  inRange(store, REPORT_COLLECTIONS.queueDays, { field: 'queueId', id: range.queueId }, { field: 'date', condition: { $gte: range.fromDate, $lte: range.toDate } });

export const agentDays = (store: ReadModelStore, range: DayRange & { agentId?: string }): Promise<AgentDayDoc[]> =>
  inRange(store, REPORT_COLLECTIONS.agentDays, { field: 'agentId', id: range.agentId }, { field: 'date', condition: { $gte: range.fromDate, $lte: range.toDate } });
