import { decodeClientState, type ClientState, type TelnyxWebhookData } from '../../api/calls/webhook';

// Every webhook of a leg carries the same client_state: decoding (base64, JSON, schema) once per leg is enough.
const decoded = new Map<string, ClientState | null>();
const CACHE_LIMIT = 50_000;

export const clientStateOf = (webhook: TelnyxWebhookData): ClientState | null => {
  const encoded = webhook.payload?.client_state;
  if (!encoded) return null;
  let state = decoded.get(encoded);
  if (state === undefined) {
    state = decodeClientState(encoded) ?? null;
    if (decoded.size >= CACHE_LIMIT) decoded.clear();
    decoded.set(encoded, state);
  }
  return state;
};

/** The call a webhook belongs to (event catalog §3.1): client_state's call, else the Telnyx session. */
export const webhookOwner = (webhook: TelnyxWebhookData): string | null =>
  clientStateOf(webhook)?.callId ?? webhook.callSessionId ?? webhook.payload?.call_session_id ?? null;
