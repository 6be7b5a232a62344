import type { AgentProfile } from '../../api/config/config';
import { centerConfigCommands, type CallPlan } from '../../bench/projections/centerSimulation';
import { appendAll, closeStores, openStores, simulate, type Stores } from '../../test/projections/support/harness';
import { rebuildAll } from '../runner/projectionRunner';
import { reportsProjection } from './reportsProjection';
import { agentDays, agentIntervals, queueDays, queueIntervals } from './queries';

/**
 * A scripted morning, played through the real deciders by the simulated center, with round latencies:
 * Telnyx answers a call 1 s after `answer`, each IVR prompt takes 4 s (so a call that presses 1, 1 —
 * English, Sales — is queued 9 s after it arrives), dialled agent legs start ringing at once and the
 * agent answers `answerAfterSeconds` later. The center's time zone is UTC (the demo's catch-all number
 * uses the always-open hours). Two agents serve the sales queue (service-level threshold 20 s):
 * ann logs in at 08:55, ben at 08:58, both wrap up for 30 s unless they submit the form earlier;
 * ben takes a 30-minute break at 09:15; both log out at 10:00.
 *
 *        arrives  queued    offered (to)            answered  waited  talk (hold)   ended     wrap-up
 *   C1   09:00:00 09:00:09  09:00:09 ann            09:00:14    5 s   120 s         09:02:14  30 s → 09:02:44
 *   C2   09:05:00 09:05:09  09:05:09 ben (idle      09:05:24   15 s    60 s (20 s)  09:06:24  30 s → 09:06:54
 *                           longest: since 08:58)                      held 09:05:34-09:05:54
 *   C3   09:10:00 09:10:09  09:10:09 ann (rings     09:10:34   25 s    90 s         09:12:04  10 s (form) → 09:12:14
 *                           out at 09:10:29), then ben 09:10:29
 *   C4   09:14:50 09:14:59  09:14:59 ann            09:15:04    5 s   200 s         09:18:24  30 s → 09:18:54
 *   C5   09:16:00 09:16:09  nobody free: hangs up at 09:16:12 (waited 3 s: a short abandon)
 *   C6   09:17:00 09:17:09  nobody free: hangs up at 09:17:49 (waited 40 s)
 *   C7   09:18:00 09:18:09  09:18:54 ann            09:18:59   50 s    60 s         09:19:59  30 s → 09:20:29
 *        (when ann's wrap-up of C4 ends)
 */
const at = (hhmmss: string): string => `2026-03-02T${hhmmss}.000Z`;

const profile = (agentId: string): AgentProfile => ({
  agentId,
  name: agentId,
  skills: [{ skill: 'sales', level: 5 }],
  languages: ['en'],
  departments: ['sales'],
  maxNoAnswer: 3,
  wrapUpSeconds: 30,
  mayCallOut: true,
  supervisor: false,
});

const call = (callId: string, arrives: string, rest: Partial<CallPlan>): CallPlan => ({
  callId,
  at: at(arrives),
  from: `+1555030${callId.slice(1).padStart(4, '0')}`,
  digits: ['1', '1'],
  talkSeconds: 60,
  answerAfterSeconds: 5,
  ...rest,
});

const scriptedMorning = () =>
  simulate({
    start: at('08:00:00'),
    configCommands: centerConfigCommands(at('08:00:00'), [profile('ann'), profile('ben')]),
    latencies: { answer: 1, gather: 4, dial: 0 },
    agents: [
      { agentId: 'ann', loginAt: at('08:55:00'), logoutAt: at('10:00:00') },
      { agentId: 'ben', loginAt: at('08:58:00'), logoutAt: at('10:00:00'), breaks: [{ at: at('09:15:00'), seconds: 1800, reason: 'coffee' }] },
    ],
    calls: [
      call('C1', '09:00:00', { talkSeconds: 120 }),
      call('C2', '09:05:00', { talkSeconds: 60, answerAfterSeconds: 15, hold: { afterSeconds: 10, seconds: 20 } }),
      call('C3', '09:10:00', { talkSeconds: 90, noAnswerBy: ['ann'], dispositionAfterSeconds: 10 }),
      call('C4', '09:14:50', { talkSeconds: 200 }),
      call('C5', '09:16:00', { patienceSeconds: 3 }),
      call('C6', '09:17:00', { patienceSeconds: 40 }),
      call('C7', '09:18:00', { talkSeconds: 60 }),
    ],
  });

describe('interval reports of a scripted morning', () => {
  let stores: Stores;

  beforeAll(async () => {
    stores = openStores();
    await appendAll(stores.events, scriptedMorning());
    await rebuildAll([reportsProjection()], { eventStore: stores.events, readModels: stores.readModels });
  });

  afterAll(async () => {
    await closeStores(stores);
  });

  it('counts the sales queue per 15-minute interval as computed by hand', async () => {
    const [first, second] = await queueIntervals(stores.readModels, { queueId: 'sales', from: at('09:00:00'), to: at('09:30:00') });
    // 09:00-09:15: C1, C2, C3 and C4 entered the queue (C4 at 09:14:59); C1, C2, C3 were answered after
    // 5, 15 and 25 s, so two within 20 s: SL = 2 / (3 + 0 abandoned after 20 s) = 0.6667, ASA = 45 / 3 = 15.
    // Handled: C1 (talk 120, wrap 30), C2 (talk 60 − 20 on hold = 40, hold 20, wrap 30), C3 (talk 90,
    // wrap 10): AHT = (250 + 20 + 70) / 3 = 113.3.
    expect(first).toMatchObject({
      intervalStart: at('09:00:00'),
      intervalEnd: at('09:15:00'),
      date: '2026-03-02',
      offered: 4,
      offeredBy: { ivr: 4, ivrDefault: 0, callback: 0, overflow: 0, transfer: 0 },
      answered: 3,
      answeredWithinThreshold: 2,
      abandoned: 0,
      shortAbandoned: 0,
      serviceLevelThresholdSeconds: 20,
      serviceLevel: 0.6667,
      asaSeconds: 15,
      abandonRate: 0,
      longestWaitSeconds: 25,
      handled: 3,
      talkSeconds: 250,
      holdSeconds: 20,
      wrapUpSeconds: 70,
      ahtSeconds: 113.3,
    });
    // 09:15-09:30: C5, C6, C7 entered; C4 (5 s) and C7 (50 s) were answered, C5 (3 s, short) and C6
    // (40 s, after the threshold) abandoned: SL = 1 / (2 + 1) = 0.3333, ASA = 55 / 2 = 27.5,
    // abandon rate = (2 − 1 short) / (2 + 2 − 1) = 0.3333. Handled C4 (200 + 30) and C7 (60 + 30): AHT 160.
    expect(second).toMatchObject({
      intervalStart: at('09:15:00'),
      offered: 3,
      answered: 2,
      answeredWithinThreshold: 1,
      abandoned: 2,
      shortAbandoned: 1,
      abandonedAfterThreshold: 1,
      serviceLevel: 0.3333,
      asaSeconds: 27.5,
      abandonRate: 0.3333,
      longestWaitSeconds: 50,
      handled: 2,
      talkSeconds: 260,
      holdSeconds: 0,
      wrapUpSeconds: 60,
      ahtSeconds: 160,
    });
  });

  it('credits the agents serving the queue with their time, split at interval boundaries', async () => {
    const [first, second] = await queueIntervals(stores.readModels, { queueId: 'sales', from: at('09:00:00'), to: at('09:30:00') });
    // 09:00-09:15, ann: idle 9 + 445 + 270, ringing 5 + 20 + 1 (C4 rang from 09:14:59), on call 120, wrap-up 30;
    // ben: idle 309 + 215 + 166, ringing 15 + 5, on call 60 + 90, wrap-up 30 + 10.
    // Occupancy = (270 + 70) / (270 + 70 + 1414 + 46) = 340 / 1800.
    expect(first.agentSeconds).toEqual({ idle: 1414, ringing: 46, onCall: 270, wrapUp: 70, break: 0 });
    expect(first.occupancy).toBe(0.1889);
    // 09:15-09:30, ann: ringing 4 + 5, on call 200 + 60, wrap-up 30 + 30, idle 571; ben on break all along.
    expect(second.agentSeconds).toEqual({ idle: 571, ringing: 9, onCall: 260, wrapUp: 60, break: 900 });
    expect(second.occupancy).toBe(0.3556);
  });

  it('reports each agent per interval', async () => {
    const ann = await agentIntervals(stores.readModels, { agentId: 'ann', from: at('09:00:00'), to: at('09:30:00') });
    // 09:00-09:15: offered C1, C3 and C4; accepted C1 (C4 was answered at 09:15:04); missed C3.
    expect(ann[0]).toMatchObject({
      offers: 3,
      accepted: 1,
      missed: 1,
      rejected: 0,
      handled: 1,
      inbound: 1,
      talkSeconds: 120,
      wrapUpSeconds: 30,
      ahtSeconds: 150,
      stateSeconds: { idle: 724, ringing: 26, onCall: 120, wrapUp: 30, break: 0 },
      loggedInSeconds: 900,
      occupancy: 0.1667,
    });
    expect(ann[1]).toMatchObject({ offers: 1, accepted: 2, handled: 2, talkSeconds: 260, wrapUpSeconds: 60, ahtSeconds: 160, stateSeconds: { idle: 571, ringing: 9, onCall: 260, wrapUp: 60, break: 0 } });
    const ben = await agentIntervals(stores.readModels, { agentId: 'ben', from: at('09:15:00'), to: at('09:45:00') });
    // On break from 09:15 to 09:45: logged in, but neither ready nor handling, so no occupancy.
    expect(ben.map((b) => [b.intervalStart, b.stateSeconds.break, b.loggedInSeconds, b.occupancy])).toEqual([
      [at('09:15:00'), 900, 900, null],
      [at('09:30:00'), 900, 900, null],
    ]);
  });

  it('rolls the day up per queue and per agent', async () => {
    const [sales] = await queueDays(stores.readModels, { queueId: 'sales', fromDate: '2026-03-02', toDate: '2026-03-02' });
    // Seven calls offered, five answered (three within 20 s), two abandoned (one short, one after 20 s):
    // SL = 3 / (5 + 1) = 0.5, ASA = (5 + 15 + 25 + 5 + 50) / 5 = 20, AHT = (510 + 20 + 130) / 5 = 132.
    expect(sales).toMatchObject({ offered: 7, answered: 5, answeredWithinThreshold: 3, abandoned: 2, shortAbandoned: 1, serviceLevel: 0.5, asaSeconds: 20, ahtSeconds: 132, longestWaitSeconds: 50 });
    const days = await agentDays(stores.readModels, { fromDate: '2026-03-02', toDate: '2026-03-02' });
    // ann handled C1, C4 and C7, logged in from 08:55 to 10:00; ben handled C2 and C3, from 08:58 to 10:00.
    expect(days.map((d) => [d.agentId, d.handled, d.loggedInSeconds])).toEqual([
      ['ann', 3, 3900],
      ['ben', 2, 3720],
    ]);
  });
});
