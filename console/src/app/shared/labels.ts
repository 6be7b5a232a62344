import type { CallOutcome } from '../graphql/types';

const OUTCOMES: Record<CallOutcome, string> = {
  ABANDONED: 'Abandoned',
  AFTER_HOURS: 'After hours',
  ANSWERED: 'Answered',
  CALLBACK: 'Callback',
  ENDED_IN_IVR: 'Ended in IVR',
  IN_PROGRESS: 'In progress',
  MAX_WAIT: 'Max wait',
  OUTBOUND: 'Outbound',
  REJECTED: 'Rejected',
  TRANSFERRED: 'Transferred',
  VOICEMAIL: 'Voicemail',
};

export const outcomeLabel = (outcome: CallOutcome | string | null | undefined): string => (outcome ? (OUTCOMES[outcome as CallOutcome] ?? outcome) : '–');

export const OUTCOME_TONE: Partial<Record<CallOutcome, string>> = {
  ANSWERED: 'ok',
  IN_PROGRESS: 'info',
  ABANDONED: 'danger',
  MAX_WAIT: 'danger',
  REJECTED: 'danger',
  VOICEMAIL: 'violet',
  CALLBACK: 'violet',
  TRANSFERRED: 'brand',
  OUTBOUND: 'brand',
};

export const ALL_OUTCOMES = Object.keys(OUTCOMES) as CallOutcome[];

/** queueId → its name, falling back to the id. */
export const queueName = (id: string | null | undefined, names: ReadonlyMap<string, string>): string => (id ? (names.get(id) ?? id) : '–');

/** A caller's name worth showing next to the number (networks often send the number as the name). */
export const nameBesides = (name: string | null | undefined, number: string | null | undefined): string => (name && name !== number ? name : '');
