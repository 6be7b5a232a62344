import type { ReadModelStore } from '../../projections/infrastructure/readModels/readModelStore';
import { queueDays } from '../../projections/reports/queries';
import { REPORT_COLLECTIONS, REPORTS_PROJECTION } from '../../projections/reports/reportsProjection';
import { CENTER_CONFIG_ID, centerTimezoneOf, type CenterConfigDoc } from '../../projections/shared/centerConfig';
import { getDocument } from '../../projections/shared/queries';
import { localDate } from '../../projections/shared/time';
import type { QueueDayDoc } from '../../projections/reports/reportViews';

/** The center's time zone (it sets day boundaries), from the reports read model. */
export const centerTimezone = async (readModels: ReadModelStore): Promise<string> => {
  const center = await getDocument<CenterConfigDoc>(readModels, REPORTS_PROJECTION, REPORT_COLLECTIONS.center, CENTER_CONFIG_ID);
  return center ? (center.timezone ?? centerTimezoneOf(center)) : 'UTC';
};

/** The calendar date of an instant in the center's time zone. */
export const centerDate = async (readModels: ReadModelStore, at: Date): Promise<string> => localDate(at.getTime(), await centerTimezone(readModels));

/** Today's figures of every queue, by queue id. */
export const queueDaysOn = async (readModels: ReadModelStore, date: string): Promise<Map<string, QueueDayDoc>> =>
  new Map((await queueDays(readModels, { fromDate: date, toDate: date })).map((doc) => [doc.queueId, doc]));
