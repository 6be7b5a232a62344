import { z } from 'zod';

/** All durations are simulated milliseconds. */
const ms = z.number().min(0);
const header = z.object({ name: z.string().min(1), value: z.string() });

export const CallerScriptSchema = z.object({
  from: z.string().min(1).optional(),
  callerIdName: z.string().optional(),
  /** Defaults to the simulator's main number. */
  to: z.string().min(1).optional(),
  customHeaders: z.array(header).optional(),
  /** Keys to press, one entry per gather attempt in order ('' = press nothing); a trailing '#' is pressed too. */
  ivr: z.array(z.string().regex(/^[0-9A-D*#]*$/)).default([]),
  /** Wait after a prompt ends (or a plain gather starts) before the first key. */
  thinkMs: ms.default(1_500),
  interDigitMs: ms.default(250),
  /** Gives up if the application has not answered by then (defaults to the simulator's inboundAnswerTimeoutMs). */
  answerTimeoutMs: ms.optional(),
  /** Hangs up after waiting this long in a queue; null waits forever. */
  patienceMs: ms.nullable().default(null),
  /** Hangs up this long after being bridged; null stays until the other side ends. */
  talkMs: ms.nullable().default(60_000),
  /** Hangs up this long after the call started, whatever happens; null never. */
  maxCallMs: ms.nullable().default(null),
  /** Presses a key while waiting in a queue. */
  queueDigit: z.object({ digit: z.string().regex(/^[0-9A-D*#]$/), afterMs: ms }).optional(),
  /** Lines spoken once bridged (what transcription reports), one every sayEveryMs. */
  says: z.array(z.string().min(1)).default([]),
  sayEveryMs: ms.default(4_000),
});
export type CallerScript = z.output<typeof CallerScriptSchema>;
export type CallerScriptInput = z.input<typeof CallerScriptSchema>;

export const PhoneBehaviourSchema = z.object({
  /** answer: after answerAfterMs; reject: after rejectAfterMs; ignore: never answers; manual: waits for the control API. */
  onRing: z.enum(['answer', 'reject', 'ignore', 'manual']).default('answer'),
  answerAfterMs: ms.default(2_000),
  rejectAfterMs: ms.default(500),
  rejectCause: z.enum(['call_rejected', 'user_busy']).default('call_rejected'),
  /** Hangs up this long after the call is connected; null leaves it to the other side or the control API. */
  handleTimeMs: ms.nullable().default(null),
  /** Calls the phone can hold at once before it answers user_busy. */
  maxCalls: z.number().int().min(1).default(1),
  /** Gives up an outbound call the application has not connected after this long. */
  outboundGiveUpMs: ms.default(60_000),
  says: z.array(z.string().min(1)).default([]),
  sayEveryMs: ms.default(5_000),
});
export type PhoneBehaviour = z.output<typeof PhoneBehaviourSchema>;
export type PhoneBehaviourInput = z.input<typeof PhoneBehaviourSchema>;

/** How a called number (not an agent device) behaves: the customer of an outbound call, a transfer target. */
export const CalleeBehaviourSchema = z.object({
  onRing: z.enum(['answer', 'reject', 'busy', 'ignore']).default('answer'),
  answerAfterMs: ms.default(3_000),
  /** Hangs up this long after answering; null leaves it to the other side. */
  talkMs: ms.nullable().default(null),
  says: z.array(z.string().min(1)).default([]),
  sayEveryMs: ms.default(4_000),
});
export type CalleeBehaviour = z.output<typeof CalleeBehaviourSchema>;
export type CalleeBehaviourInput = z.input<typeof CalleeBehaviourSchema>;

/** Poisson arrivals of callers built from a template. */
export const ArrivalsSchema = z.object({
  /** Mean arrivals per simulated minute. */
  ratePerMinute: z.number().positive(),
  /** Stop after this many callers; unset = until stopped. */
  maxCallers: z.number().int().min(1).optional(),
  template: CallerScriptSchema.partial().default({}),
  /** IVR paths drawn per caller by weight (overrides template.ivr). */
  ivrChoices: z.array(z.object({ ivr: z.array(z.string().regex(/^[0-9A-D*#]*$/)), weight: z.number().positive() })).optional(),
  /** Patience drawn from an exponential distribution with this mean (overrides template.patienceMs). */
  patienceMeanMs: ms.optional(),
  /** Talk time drawn from an exponential distribution with this mean (overrides template.talkMs). */
  talkMeanMs: ms.optional(),
});
export type ArrivalsConfig = z.output<typeof ArrivalsSchema>;
export type ArrivalsConfigInput = z.input<typeof ArrivalsSchema>;
