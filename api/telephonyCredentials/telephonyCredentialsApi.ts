/**
 * What the credential service needs from Telnyx: the telephony-credential endpoints
 * (telnyx.md §5). The Telnyx port provides them; tests may pass any implementation.
 */
export interface CreatedTelephonyCredential {
  id: string;
  sipUsername: string;
  expiresAt?: string;
}

export interface TelephonyCredentialsApi {
  /** POST /v2/telephony_credentials on the Credential Connection `connectionId`. */
  createTelephonyCredential(input: { connectionId: string; name: string; tag: string; expiresAt?: string }): Promise<CreatedTelephonyCredential>;
  /** POST /v2/telephony_credentials/{id}/token: a WebRTC login JWT (text/plain). Throws NotFoundError when the credential is gone. */
  createTelephonyToken(credentialId: string): Promise<string>;
  /** DELETE /v2/telephony_credentials/{id}. Throws NotFoundError when it is already gone. */
  deleteTelephonyCredential(credentialId: string): Promise<void>;
}
