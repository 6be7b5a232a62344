import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { agentDays, agentIntervals, queueDays, queueIntervals } from '../../projections/reports/queries';
import { localDate } from '../../projections/shared/time';
import { ValidationError } from '../core/errors';
import { Allow } from '../graphql/authorization';
import type { GraphQLContext } from '../graphql/context';
import { agentFigures, GranularityEnum, queueFigures, ReportRow, ReportScopeEnum, type Granularity, type ReportScope } from './reportTypes';
import { centerTimezone } from './today';

/** Interval reports span at most this many days per request (96 rows a day per queue or agent). */
const MAX_INTERVAL_DAYS = 31;
const MAX_DAY_SPAN_DAYS = 400;
const DAY_MS = 86_400_000;

const row = (scope: ReportScope, granularity: Granularity, fields: Omit<ReportRow, 'scope' | 'granularity'>): ReportRow => Object.assign(new ReportRow(), { scope, granularity, ...fields });

/** Interval and daily reports per queue or agent, from the reports read model. */
@Resolver()
export class ReportResolver {
  @Allow('supervisor', 'admin', 'analyst')
  @Query(() => [ReportRow], { description: 'Per queue or agent (one, or all when id is omitted), oldest first: offered, answered, abandoned, short abandons, service level, ASA, AHT, longest wait, occupancy.' })
  async reports(
    @Ctx() ctx: GraphQLContext,
    @Arg('scope', () => ReportScopeEnum) scope: ReportScope,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date, { description: 'Exclusive.' }) to: Date,
    @Arg('granularity', () => GranularityEnum, { defaultValue: 'interval' }) granularity: Granularity,
    @Arg('id', () => String, { nullable: true, description: 'The queue or agent id; all of them when omitted.' }) id?: string,
  ): Promise<ReportRow[]> {
    if (!(to.getTime() > from.getTime())) throw new ValidationError('to must be after from');
    const spanDays = (to.getTime() - from.getTime()) / DAY_MS;
    const { readModels } = ctx.services;
    if (granularity === 'interval') {
      if (spanDays > MAX_INTERVAL_DAYS) throw new ValidationError(`An interval report spans at most ${MAX_INTERVAL_DAYS} days`);
      const range = { from: from.toISOString(), to: to.toISOString() };
      if (scope === 'queue') {
        const docs = await queueIntervals(readModels, { ...range, ...(id ? { queueId: id } : {}) });
        return docs.map((d) => row(scope, granularity, { id: d.queueId, start: d.intervalStart, end: d.intervalEnd, date: d.date, queue: queueFigures(d), agent: null }));
      }
      const docs = await agentIntervals(readModels, { ...range, ...(id ? { agentId: id } : {}) });
      return docs.map((d) => row(scope, granularity, { id: d.agentId, start: d.intervalStart, end: d.intervalEnd, date: d.date, queue: null, agent: agentFigures(d) }));
    }
    if (spanDays > MAX_DAY_SPAN_DAYS) throw new ValidationError(`A daily report spans at most ${MAX_DAY_SPAN_DAYS} days`);
    const timezone = await centerTimezone(readModels);
    const range = { fromDate: localDate(from.getTime(), timezone), toDate: localDate(to.getTime() - 1, timezone) };
    if (scope === 'queue') {
      const docs = await queueDays(readModels, { ...range, ...(id ? { queueId: id } : {}) });
      return docs.map((d) => row(scope, granularity, { id: d.queueId, start: `${d.date}T00:00:00.000Z`, end: null, date: d.date, queue: queueFigures(d), agent: null }));
    }
    const docs = await agentDays(readModels, { ...range, ...(id ? { agentId: id } : {}) });
    return docs.map((d) => row(scope, granularity, { id: d.agentId, start: `${d.date}T00:00:00.000Z`, end: null, date: d.date, queue: null, agent: agentFigures(d) }));
  }
}
