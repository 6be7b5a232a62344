import Telnyx from 'telnyx';
import { NotFoundError, UnavailableError } from '../../../api/core/errors';
import type { TelephonyCredentialsApi } from '../../../api/telephonyCredentials/telephonyCredentialsApi';

const mapError = (error: unknown): unknown => {
  if (error instanceof Telnyx.NotFoundError) return new NotFoundError('Telephony credential not found at Telnyx');
  if (error instanceof Telnyx.APIConnectionError) return new UnavailableError('Telnyx could not be reached', { cause: error });
  if (error instanceof Telnyx.APIError && typeof error.status === 'number' && error.status >= 500) return new UnavailableError(`Telnyx answered ${error.status}`, { cause: error });
  return error;
};

/** The telephony-credential endpoints through the real telnyx SDK (pointed at the simulator in tests). */
export const telnyxCredentialsViaSdk = (options: { apiKey: string; baseURL: string }): TelephonyCredentialsApi => {
  const client = new Telnyx({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0 });
  return {
    async createTelephonyCredential({ connectionId, name, tag, expiresAt }) {
      try {
        const { data } = await client.telephonyCredentials.create({ connection_id: connectionId, name, tag, ...(expiresAt ? { expires_at: expiresAt } : {}) });
        if (!data?.id || !data.sip_username) throw new Error('Telnyx returned a credential without id or sip_username');
        return { id: data.id, sipUsername: data.sip_username, ...(data.expires_at ? { expiresAt: data.expires_at } : {}) };
      } catch (error) {
        throw mapError(error);
      }
    },
    async createTelephonyToken(credentialId) {
      try {
        return await client.telephonyCredentials.createToken(credentialId);
      } catch (error) {
        throw mapError(error);
      }
    },
    async deleteTelephonyCredential(credentialId) {
      try {
        await client.telephonyCredentials.delete(credentialId);
      } catch (error) {
        throw mapError(error);
      }
    },
  };
};
