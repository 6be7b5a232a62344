import { assertNever, type Command, type Decider } from '../core/decider';
import { IllegalStateError, NotFoundError } from '../core/errors';

/**
 * The on-demand Telnyx telephony credentials of one agent, one per device, on
 * `agent-credentials-<agentId>`, and whether each device's softphone is registered (the router
 * dials only registered devices, at `sip:<sipUsername>@sip.telnyx.com`).
 */
export const agentCredentialsStream = (agentId: string): string => `agent-credentials-${agentId}`;
export const AGENT_CREDENTIALS_PREFIX = 'agent-credentials-';

type At = { occurredAt: string };

export type TelephonyCredentialCreated = {
  type: 'TelephonyCredentialCreated';
  data: { credentialId: string; sipUsername: string; deviceId: string; agentId: string; userId: string; expiresAt?: string } & At;
};
export type CredentialRevocationReason = 'logout' | 'deactivated' | 'sessions_revoked' | 'gone_at_telnyx' | 'duplicate';
export type TelephonyCredentialRevoked = {
  type: 'TelephonyCredentialRevoked';
  data: { credentialId: string; sipUsername: string; deviceId: string; agentId: string; reason: CredentialRevocationReason } & At;
};
export type SoftphoneRegistrationChanged = {
  type: 'SoftphoneRegistrationChanged';
  data: { agentId: string; deviceId: string; sipUsername: string; registered: boolean } & At;
};

export type AgentCredentialsEvent = TelephonyCredentialCreated | TelephonyCredentialRevoked | SoftphoneRegistrationChanged;

export const AGENT_CREDENTIALS_EVENT_TYPES: ReadonlySet<string> = new Set<AgentCredentialsEvent['type']>([
  'TelephonyCredentialCreated',
  'TelephonyCredentialRevoked',
  'SoftphoneRegistrationChanged',
]);

export interface DeviceCredential {
  credentialId: string;
  sipUsername: string;
  deviceId: string;
  userId: string;
  expiresAt?: string;
  registered: boolean;
}

export interface AgentCredentialsState {
  devices: Record<string, DeviceCredential>;
}

export const initialAgentCredentials = (): AgentCredentialsState => ({ devices: {} });

const withoutDevice = (devices: Record<string, DeviceCredential>, deviceId: string): Record<string, DeviceCredential> => {
  const rest = { ...devices };
  delete rest[deviceId];
  return rest;
};

export const evolveAgentCredentials = (state: AgentCredentialsState, event: AgentCredentialsEvent): AgentCredentialsState => {
  switch (event.type) {
    case 'TelephonyCredentialCreated': {
      const { credentialId, sipUsername, deviceId, userId, expiresAt } = event.data;
      return { devices: { ...state.devices, [deviceId]: { credentialId, sipUsername, deviceId, userId, ...(expiresAt ? { expiresAt } : {}), registered: false } } };
    }
    case 'TelephonyCredentialRevoked': {
      const device = state.devices[event.data.deviceId];
      if (!device || device.credentialId !== event.data.credentialId) return state;
      return { devices: withoutDevice(state.devices, event.data.deviceId) };
    }
    case 'SoftphoneRegistrationChanged': {
      const device = state.devices[event.data.deviceId];
      if (!device) return state;
      return { devices: { ...state.devices, [event.data.deviceId]: { ...device, registered: event.data.registered } } };
    }
    default:
      return assertNever(event, 'agent credentials event');
  }
};

export type RecordCredential = Command<
  'RecordCredential',
  { agentId: string; userId: string; deviceId: string; credentialId: string; sipUsername: string; expiresAt?: string }
>;
export type RevokeCredential = Command<'RevokeCredential', { agentId: string; deviceId: string; credentialId: string; reason: CredentialRevocationReason }>;
export type ReportRegistration = Command<'ReportRegistration', { agentId: string; deviceId: string; registered: boolean }>;

export type AgentCredentialsCommand = RecordCredential | RevokeCredential | ReportRegistration;

export const decideAgentCredentials = (command: AgentCredentialsCommand, state: AgentCredentialsState): AgentCredentialsEvent[] => {
  const occurredAt = command.metadata.now;
  switch (command.type) {
    case 'RecordCredential': {
      const existing = state.devices[command.data.deviceId];
      if (existing?.credentialId === command.data.credentialId) return [];
      if (existing) throw new IllegalStateError(`Device ${command.data.deviceId} already has telephony credential ${existing.credentialId}`);
      return [{ type: 'TelephonyCredentialCreated', data: { ...command.data, occurredAt } }];
    }
    case 'RevokeCredential': {
      const { agentId, deviceId, credentialId, reason } = command.data;
      const device = state.devices[deviceId];
      if (!device || device.credentialId !== credentialId) return [];
      const revoked: TelephonyCredentialRevoked = { type: 'TelephonyCredentialRevoked', data: { credentialId, sipUsername: device.sipUsername, deviceId, agentId, reason, occurredAt } };
      // Said explicitly, so whoever tracks registered devices needs no knowledge of revocations.
      if (!device.registered) return [revoked];
      return [{ type: 'SoftphoneRegistrationChanged', data: { agentId, deviceId, sipUsername: device.sipUsername, registered: false, occurredAt } }, revoked];
    }
    case 'ReportRegistration': {
      const { agentId, deviceId, registered } = command.data;
      const device = state.devices[deviceId];
      if (!device) throw new NotFoundError(`No telephony credential for device ${deviceId}; log in again on this device`);
      if (device.registered === registered) return [];
      return [{ type: 'SoftphoneRegistrationChanged', data: { agentId, deviceId, sipUsername: device.sipUsername, registered, occurredAt } }];
    }
    default:
      return assertNever(command, 'agent credentials command');
  }
};

export const agentCredentialsDecider: Decider<AgentCredentialsState, AgentCredentialsCommand, AgentCredentialsEvent> = {
  decide: decideAgentCredentials,
  evolve: evolveAgentCredentials,
  initialState: initialAgentCredentials,
};
