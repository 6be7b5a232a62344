/**
 * Caller lookup for the screen pop. The reactor calls it at `call.initiated` and records the answer on the
 * call as `CallerIdentified`; a slow or failing CRM must never hold up the call (the reactor times it out
 * and records `contact: null`).
 */
export interface CrmContact {
  contactId: string;
  name: string;
  account: string | null;
  email: string | null;
  tier: 'standard' | 'gold' | 'platinum';
  language: string | null;
  notes: string;
  tags: string[];
  /** E.164 numbers the contact calls from. */
  phoneNumbers: string[];
}

/** A previous call of the same number, from the call-history read model. */
export interface PreviousCall {
  callId: string;
  startedAt: string;
  outcome: string;
  queueId: string | null;
  agentId: string | null;
}

export interface CrmPort {
  /** The contact whose phone numbers include `e164`, or null. Rejects only on transport failure. */
  findByPhoneNumber(e164: string, options?: { signal?: AbortSignal }): Promise<CrmContact | null>;
}

/** Compares phone numbers on their digits, so `+1 (555) 010-0100` matches `+15550100100`. */
export const normalizePhoneNumber = (value: string): string => {
  const digits = value.replace(/[^0-9]/g, '');
  return digits.length > 0 ? `+${digits}` : value.trim();
};
