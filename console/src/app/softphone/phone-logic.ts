/**
 * How the console reads the SDK's calls: what phase a call is in and which callstream call and
 * offer it belongs to. Pure (no SDK, no DOM) so it is tested directly.
 */

export type PhonePhase = 'ringing' | 'connecting' | 'active' | 'held' | 'ended';

/** The SDK's call.state values (lower-case enum State in @telnyx/webrtc). */
export const phaseOf = (sdkState: string): PhonePhase => {
  switch (sdkState) {
    case 'ringing':
      return 'ringing';
    case 'active':
      return 'active';
    case 'held':
      return 'held';
    case 'hangup':
    case 'destroy':
    case 'purge':
      return 'ended';
    default:
      // new, requesting, trying, recovering, answering, early
      return 'connecting';
  }
};

export interface Header {
  name: string;
  value: string;
}

export const headerValue = (headers: readonly Header[] | undefined, name: string): string | null => {
  const wanted = name.toLowerCase();
  return headers?.find((h) => h.name.toLowerCase() === wanted)?.value ?? null;
};

/** callstream's `client_state` on the legs it dials (api/calls/webhook.ts ClientState). */
export interface LegClientState {
  callId: string | null;
  role: string | null;
  agentId: string | null;
  offerId: string | null;
  supervisorId: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** Decodes a base64 JSON client_state; null when absent or not ours. */
export const decodeLegClientState = (base64: string | null | undefined, decode: (b64: string) => string): LegClientState | null => {
  if (!base64) return null;
  try {
    const parsed: unknown = JSON.parse(decode(base64));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const o = parsed as Record<string, unknown>;
    return { callId: str(o['callId']), role: str(o['role']), agentId: str(o['agentId']), offerId: str(o['offerId']), supervisorId: str(o['supervisorId']) };
  } catch {
    return null;
  }
};

export const CALL_ID_HEADER = 'X-Callstream-Call-Id';
export const OFFER_ID_HEADER = 'X-Callstream-Offer-Id';

/** What a leg ringing the browser is for: a customer offered to the agent, a supervision the user asked for, or something else. */
export type LegPurpose = 'offer' | 'supervisor' | 'transfer' | 'other';

export const legPurpose = (state: LegClientState | null, headers: readonly Header[] | undefined): LegPurpose => {
  const role = state?.role ?? null;
  if (role === 'supervisor') return 'supervisor';
  if (role === 'consult' || role === 'outbound') return 'transfer';
  if (role === 'agent' || headerValue(headers, OFFER_ID_HEADER)) return 'offer';
  return 'other';
};

/** Keeps a dial string to what a phone number or SIP user can hold. */
export const cleanDialString = (raw: string): string => {
  const trimmed = raw.trim();
  if (/^sip:/i.test(trimmed)) return trimmed;
  const plus = trimmed.startsWith('+') ? '+' : '';
  return plus + trimmed.replace(/[^0-9*#]/g, '');
};

/** A plausible destination: E.164-ish numbers of 3+ digits, or a sip: URI. */
export const isDialable = (value: string): boolean => /^sip:[^\s@]+(@[^\s]+)?$/i.test(value) || /^\+?[0-9*#]{3,20}$/.test(value);
