/** The shapes the console reads from the API (schema.graphql is the reference). */

export type Role = 'AGENT' | 'SUPERVISOR' | 'ANALYST' | 'ADMIN';

export interface Me {
  userId: string;
  username: string;
  displayName: string;
  roles: Role[];
  agentId: string | null;
  deviceId: string;
  sessionId: string;
}

export interface TelephonyToken {
  loginToken: string;
  sipUsername: string;
  expiresAt: string;
}

export interface SessionTokens {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  me: Me;
}

export interface LoginPayload extends SessionTokens {
  telephony: TelephonyToken | null;
  telephonyError: string | null;
}

export interface SessionEvent {
  type: string;
  endsThisSession: boolean;
  sessionId: string | null;
  occurredAt: string;
}

export interface SoftphoneRegistration {
  agentId: string;
  deviceId: string;
  registered: boolean;
  sipUsername: string;
}
