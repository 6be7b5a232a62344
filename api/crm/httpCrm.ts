import { z } from 'zod';
import { UnavailableError, ValidationError } from '../core/errors';
import type { CrmContact, CrmPort } from './crmPort';

export interface HttpCrmOptions {
  /** URL with `{number}` (URL-encoded E.164) and optionally `{digits}` (digits only), e.g. `https://crm.example.com/api/contacts?phone={number}`. */
  urlTemplate: string;
  /** Per-request deadline; a slower CRM counts as down. */
  timeoutMs: number;
  /** Sent as the Authorization header when set (e.g. `Bearer …`). */
  authorization?: string;
  fetch?: typeof fetch;
}

const contactSchema = z
  .object({
    contactId: z.union([z.string(), z.number()]).transform(String),
    name: z.string(),
    account: z.string().nullish().transform((v) => v ?? null),
    email: z.string().nullish().transform((v) => v ?? null),
    tier: z.enum(['standard', 'gold', 'platinum']).catch('standard'),
    language: z.string().nullish().transform((v) => v ?? null),
    notes: z.string().nullish().transform((v) => v ?? ''),
    tags: z.array(z.string()).nullish().transform((v) => v ?? []),
    phoneNumbers: z.array(z.string()).nullish().transform((v) => v ?? []),
  })
  .loose();

/** A CRM answers with the contact, `{ contact }`, `{ data }`, or a list (the first entry wins). */
const pickContact = (body: unknown): unknown => {
  if (Array.isArray(body)) return body[0] ?? null;
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    if ('contact' in record) return pickContact(record.contact);
    if ('data' in record) return pickContact(record.data);
  }
  return body ?? null;
};

/**
 * The CRM port over an external HTTP CRM. 404 and an empty answer mean "unknown caller"; a timeout, a
 * connection error or a 5xx reject with UnavailableError, and the reactor records the caller as unknown
 * rather than wait: no call waits on the CRM.
 */
export const httpCrm = (options: HttpCrmOptions): CrmPort => {
  if (!options.urlTemplate.includes('{number}') && !options.urlTemplate.includes('{digits}')) {
    throw new ValidationError('The CRM URL template needs a {number} or {digits} placeholder');
  }
  const doFetch = options.fetch ?? fetch;
  return {
    async findByPhoneNumber(e164, { signal } = {}) {
      const url = options.urlTemplate.replaceAll('{number}', encodeURIComponent(e164)).replaceAll('{digits}', e164.replace(/[^0-9]/g, ''));
      const deadline = AbortSignal.timeout(options.timeoutMs);
      let response: Response;
      try {
        response = await doFetch(url, {
          headers: { accept: 'application/json', ...(options.authorization ? { authorization: options.authorization } : {}) },
          signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
        });
      } catch (error) {
        throw new UnavailableError(`The CRM did not answer for ${e164}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      if (response.status === 404 || response.status === 204) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new UnavailableError(`The CRM answered ${response.status} for ${e164}`);
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch (error) {
        throw new UnavailableError(`The CRM sent an unreadable answer for ${e164}`, { cause: error });
      }
      const picked = pickContact(body);
      if (picked === null) return null;
      const parsed = contactSchema.safeParse(picked);
      if (!parsed.success) throw new UnavailableError(`The CRM sent a contact callstream cannot read for ${e164}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      const { contactId, name, account, email, tier, language, notes, tags, phoneNumbers } = parsed.data;
      const contact: CrmContact = { contactId, name, account, email, tier, language, notes, tags, phoneNumbers: phoneNumbers.length > 0 ? phoneNumbers : [e164] };
      return contact;
    },
  };
};
