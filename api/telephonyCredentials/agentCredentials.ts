import { assertNever, type Command, type Decider } from '../core/decider';
import { IllegalStateError } from '../core/errors';

/**
 * The on-demand Telnyx telephony credentials of one agent, one per device, on
 * `agent-credentials-<agentId>`. Whether a softphone is registered is the agent's own business:
 * AgentDeviceRegistered / AgentDeviceUnregistered on `agent-<agentId>` (api/agents).
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
export type AgentCredentialsEvent = TelephonyCredentialCreated | TelephonyCredentialRevoked;

export const AGENT_CREDENTIALS_EVENT_TYPES: ReadonlySet<string> = new Set<AgentCredentialsEvent['type']>([
  'TelephonyCredentialCreated',
  'TelephonyCredentialRevoked',
]);

export interface DeviceCredential {
  credentialId: string;
  sipUsername: string;
  deviceId: string;
  userId: string;
  expiresAt?: string;
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
      return { devices: { ...state.devices, [deviceId]: { credentialId, sipUsername, deviceId, userId, ...(expiresAt ? { expiresAt } : {}) } } };
    }
    case 'TelephonyCredentialRevoked': {
      const device = state.devices[event.data.deviceId];
      if (!device || device.credentialId !== event.data.credentialId) return state;
      return { devices: withoutDevice(state.devices, event.data.deviceId) };
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
export type AgentCredentialsCommand = RecordCredential | RevokeCredential;

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
      return [{ type: 'TelephonyCredentialRevoked', data: { credentialId, sipUsername: device.sipUsername, deviceId, agentId, reason, occurredAt } }];
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
