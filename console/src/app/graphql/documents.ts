import { gql, type TypedDocumentNode } from '@apollo/client';
import * as ops from './operations';
import type { LoginPayload, Me, SessionEvent, SessionTokens, SoftphoneRegistration, TelephonyToken } from './types';

const doc = <TData, TVars extends Record<string, unknown> = Record<string, never>>(source: string): TypedDocumentNode<TData, TVars> => gql(source);

export const LOGIN = doc<{ login: LoginPayload }, { username: string; password: string; deviceId: string }>(ops.LOGIN);
export const REFRESH_SESSION = doc<{ refreshSession: SessionTokens }, { refreshToken: string }>(ops.REFRESH_SESSION);
export const LOGOUT = doc<{ logout: boolean }>(ops.LOGOUT);
export const ME = doc<{ me: Me }>(ops.ME);
export const SESSION_EVENTS = doc<{ sessionEvents: SessionEvent }>(ops.SESSION_EVENTS);
export const REFRESH_TELEPHONY_TOKEN = doc<{ refreshTelephonyToken: TelephonyToken }, { deviceId?: string | null }>(ops.REFRESH_TELEPHONY_TOKEN);
export const REPORT_SOFTPHONE_REGISTRATION = doc<{ reportSoftphoneRegistration: SoftphoneRegistration }, { deviceId?: string | null; registered: boolean }>(
  ops.REPORT_SOFTPHONE_REGISTRATION,
);
