import { z } from 'zod';
import { ValidationError } from '../core/errors';
import type { CrmPort } from './crmPort';
import { embeddedCrm } from './embeddedContacts';
import { httpCrm } from './httpCrm';

export * from './crmPort';
export { contactDirectory, embeddedCrm, DEMO_CONTACTS } from './embeddedContacts';
export { httpCrm } from './httpCrm';

const CrmEnv = z.object({
  CRM_URL_TEMPLATE: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  CRM_TIMEOUT_MS: z.preprocess((v) => (v === undefined || v === '' ? 1500 : Number(v)), z.number().int().min(50).max(30_000)),
  CRM_AUTHORIZATION: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
});

export interface CrmSettings {
  crm: CrmPort;
  /** How long the reactor waits for the CRM before recording the caller as unknown. */
  timeoutMs: number;
}

/** The external HTTP CRM when CRM_URL_TEMPLATE is set (with CRM_TIMEOUT_MS, CRM_AUTHORIZATION), else the embedded demo directory. */
export const createCrm = (env: NodeJS.ProcessEnv = process.env): CrmSettings => {
  const parsed = CrmEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const { CRM_URL_TEMPLATE, CRM_TIMEOUT_MS, CRM_AUTHORIZATION } = parsed.data;
  if (!CRM_URL_TEMPLATE) return { crm: embeddedCrm(), timeoutMs: CRM_TIMEOUT_MS };
  return { crm: httpCrm({ urlTemplate: CRM_URL_TEMPLATE, timeoutMs: CRM_TIMEOUT_MS, authorization: CRM_AUTHORIZATION }), timeoutMs: CRM_TIMEOUT_MS };
};
