/** Telnyx webhooks are stored verbatim: `TelnyxWebhookReceived` / `TelnyxWebhookLinked` data has `eventType` and `raw`, the exact request body. */
export const webhookEventType = (data: unknown): string | null => {
  const t = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)['eventType'] : undefined;
  return typeof t === 'string' ? t : null;
};

/** The webhook as Telnyx sent it (the request body, parsed for display), or null for other events. */
export const rawWebhook = (data: unknown): unknown => {
  if (typeof data !== 'object' || data === null) return null;
  const raw = (data as Record<string, unknown>)['raw'];
  if (typeof raw === 'string') {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  return raw ?? null;
};
