import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { agentStreamId, evolveAgent, initialAgentState, isAgentEvent, type AgentEvent, type AgentState } from '../agents/agent';
import { decideAgent, type AgentCommand } from '../agents/agentDecider';
import { CommandHandler, type CommandMetadata } from '../core/decider';
import { IllegalStateError, NotFoundError, UnavailableError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { EventStore, RecordedEvent } from '../infrastructure/eventStore/eventStore';
import { eventMetadata, type RequestMeta } from '../users/userService';
import {
  AGENT_CREDENTIALS_EVENT_TYPES,
  agentCredentialsStream,
  decideAgentCredentials,
  evolveAgentCredentials,
  initialAgentCredentials,
  type AgentCredentialsCommand,
  type AgentCredentialsEvent,
  type AgentCredentialsState,
  type CredentialRevocationReason,
  type DeviceCredential,
} from './agentCredentials';
import type { TelnyxPort } from '../infrastructure/telnyx/telnyx';

export const CREDENTIAL_TAG = 'callstream';

export interface TelephonyLogin {
  /** The JWT the browser passes to TelnyxRTC as `login_token`. */
  loginToken: string;
  sipUsername: string;
  /** From the JWT's own `exp` (24 h after the credential's creation at most): refresh well before. */
  expiresAt: Date;
  credentialId: string;
}

/** What the service needs of the Telnyx port; credentials go on the port's configured Credential Connection. */
export type TelephonyCredentialsPort = Pick<TelnyxPort, 'createCredential' | 'createCredentialToken' | 'deleteCredential'>;

export interface CredentialServiceOptions {
  eventStore: EventStore;
  telnyx: TelephonyCredentialsPort;
  logger: Logger;
  clock?: () => Date;
  newId?: () => string;
}

const upcast = (recorded: RecordedEvent): AgentCredentialsEvent | undefined =>
  AGENT_CREDENTIALS_EVENT_TYPES.has(recorded.type) ? ({ type: recorded.type, data: recorded.data } as AgentCredentialsEvent) : undefined;

const handleCredentials = CommandHandler<AgentCredentialsState, AgentCredentialsEvent>({ evolve: evolveAgentCredentials, initialState: initialAgentCredentials }, upcast);

const handleAgent = CommandHandler<AgentState, AgentEvent>({ evolve: evolveAgent, initialState: initialAgentState }, (recorded) =>
  isAgentEvent(recorded) ? ({ type: recorded.type, data: recorded.data } as AgentEvent) : undefined,
);

export interface SoftphoneRegistrationView {
  agentId: string;
  deviceId: string;
  sipUsername: string;
  registered: boolean;
}

export const credentialName = (agentId: string, deviceId: string): string => `callstream-${agentId}-${deviceId}`;

const tokenExpiry = (jwt: string, fallback: Date): Date => {
  try {
    const { exp } = decodeJwt(jwt);
    return typeof exp === 'number' ? new Date(exp * 1000) : fallback;
  } catch {
    return fallback;
  }
};

/**
 * One Telnyx telephony credential per agent device: created on the agent's first login on the
 * device, reused after that, deleted at Telnyx and revoked on logout or deactivation. Telnyx is
 * called before the event is appended; a credential whose event could not be appended is deleted
 * again, so none is left behind unrecorded.
 */
export class CredentialService {
  private readonly store: EventStore;
  private readonly telnyx: TelephonyCredentialsPort;
  private readonly log: Logger;
  private readonly clock: () => Date;
  private readonly newId: () => string;

  constructor(options: CredentialServiceOptions) {
    this.store = options.eventStore;
    this.telnyx = options.telnyx;
    this.log = options.logger.child({ component: 'telephonyCredentials' });
    this.clock = options.clock ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  async state(agentId: string): Promise<AgentCredentialsState> {
    const recorded = await this.store.readStream(agentCredentialsStream(agentId));
    return recorded.reduce<AgentCredentialsState>((s, r) => {
      const event = upcast(r);
      return event ? evolveAgentCredentials(s, event) : s;
    }, initialAgentCredentials());
  }

  async device(agentId: string, deviceId: string): Promise<DeviceCredential | undefined> {
    return (await this.state(agentId)).devices[deviceId];
  }

  /** The device's credential, created through Telnyx when it has none. */
  async ensureCredential(input: { agentId: string; userId: string; deviceId: string }, meta: RequestMeta): Promise<DeviceCredential> {
    const existing = await this.device(input.agentId, input.deviceId);
    if (existing) return existing;
    const credential = await this.telnyx.createCredential({ name: credentialName(input.agentId, input.deviceId), tag: CREDENTIAL_TAG });
    if (!credential.id || !credential.sip_username) throw new UnavailableError('Telnyx answered a telephony credential without id or sip_username');
    const created = { id: credential.id, sipUsername: credential.sip_username, expiresAt: credential.expires_at ?? undefined };
    try {
      await this.execute(
        input.agentId,
        {
          type: 'RecordCredential',
          data: { ...input, credentialId: created.id, sipUsername: created.sipUsername, ...(created.expiresAt ? { expiresAt: created.expiresAt } : {}) },
        },
        meta,
      );
    } catch (error) {
      await this.deleteQuietly(created.id);
      if (error instanceof IllegalStateError) {
        const winner = await this.device(input.agentId, input.deviceId);
        if (winner) return winner;
      }
      throw error;
    }
    this.log.info({ agentId: input.agentId, deviceId: input.deviceId, credentialId: created.id, sipUsername: created.sipUsername }, 'telephony credential created');
    return { credentialId: created.id, sipUsername: created.sipUsername, deviceId: input.deviceId, userId: input.userId, ...(created.expiresAt ? { expiresAt: created.expiresAt } : {}) };
  }

  /** Mints a WebRTC login token; a credential Telnyx no longer knows is revoked and replaced once. */
  async issueToken(input: { agentId: string; userId: string; deviceId: string }, meta: RequestMeta, options: { create: boolean }): Promise<TelephonyLogin> {
    for (let attempt = 0; ; attempt++) {
      const credential = options.create ? await this.ensureCredential(input, meta) : await this.device(input.agentId, input.deviceId);
      if (!credential) throw new NotFoundError(`No telephony credential for device ${input.deviceId}; refresh the telephony token or log in again`);
      try {
        const loginToken = await this.telnyx.createCredentialToken(credential.credentialId);
        const fallback = new Date(this.clock().getTime() + 24 * 3600 * 1000);
        return { loginToken, sipUsername: credential.sipUsername, expiresAt: tokenExpiry(loginToken, fallback), credentialId: credential.credentialId };
      } catch (error) {
        if (!(error instanceof NotFoundError) || attempt > 0) throw error;
        this.log.warn({ agentId: input.agentId, deviceId: input.deviceId, credentialId: credential.credentialId }, 'telephony credential is gone at Telnyx; replacing it');
        await this.execute(input.agentId, { type: 'RevokeCredential', data: { agentId: input.agentId, deviceId: input.deviceId, credentialId: credential.credentialId, reason: 'gone_at_telnyx' } }, meta);
        if (!options.create) throw error;
      }
    }
  }

  /**
   * The softphone of the device reports its registration (telnyx.ready, or lost). It is recorded on
   * the agent's own stream (AgentDeviceRegistered / AgentDeviceUnregistered), where the router looks
   * for a registered device before it reserves the agent. A device that is not the agent's
   * registered one cannot unregister it.
   */
  async reportRegistration(input: { agentId: string; deviceId: string; registered: boolean }, meta: RequestMeta): Promise<SoftphoneRegistrationView> {
    const device = await this.device(input.agentId, input.deviceId);
    if (!device) throw new NotFoundError(`No telephony credential for device ${input.deviceId}; refresh the telephony token or log in again`);
    const state = input.registered
      ? await this.agentCommand(input.agentId, { type: 'RegisterDevice', data: { agentId: input.agentId, credentialId: device.credentialId, sipUsername: device.sipUsername } }, meta)
      : await this.unregisterAgentDevice(input.agentId, device.credentialId, 'the softphone reported it is not registered', meta);
    const registered = state.device?.registered === true && state.device.credentialId === device.credentialId;
    return { agentId: input.agentId, deviceId: input.deviceId, sipUsername: device.sipUsername, registered };
  }

  /** Deletes the device's credential at Telnyx and records the revocation. */
  async revokeDevice(agentId: string, deviceId: string, reason: CredentialRevocationReason, meta: RequestMeta): Promise<void> {
    const credential = await this.device(agentId, deviceId);
    if (credential) await this.revoke(agentId, credential, reason, meta);
  }

  async revokeAll(agentId: string, reason: CredentialRevocationReason, meta: RequestMeta): Promise<void> {
    const { devices } = await this.state(agentId);
    for (const credential of Object.values(devices)) await this.revoke(agentId, credential, reason, meta);
  }

  private async revoke(agentId: string, credential: DeviceCredential, reason: CredentialRevocationReason, meta: RequestMeta): Promise<void> {
    try {
      await this.telnyx.deleteCredential(credential.credentialId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) {
        // Left recorded as active: the next login on the device reuses it and the next logout tries again.
        this.log.error({ err: error, agentId, deviceId: credential.deviceId, credentialId: credential.credentialId }, 'could not delete the telephony credential at Telnyx');
        return;
      }
    }
    await this.execute(agentId, { type: 'RevokeCredential', data: { agentId, deviceId: credential.deviceId, credentialId: credential.credentialId, reason } }, meta);
    await this.unregisterAgentDevice(agentId, credential.credentialId, `telephony credential revoked (${reason})`, meta);
    this.log.info({ agentId, deviceId: credential.deviceId, credentialId: credential.credentialId, reason }, 'telephony credential revoked');
  }

  private async deleteQuietly(credentialId: string): Promise<void> {
    try {
      await this.telnyx.deleteCredential(credentialId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) this.log.error({ err: error, credentialId }, 'could not delete an unrecorded telephony credential');
    }
  }

  private async unregisterAgentDevice(agentId: string, credentialId: string, reason: string, meta: RequestMeta): Promise<AgentState> {
    return this.agentCommand(agentId, { type: 'UnregisterDevice', data: { agentId, reason } }, meta, (state) => state.device?.registered === true && state.device.credentialId === credentialId);
  }

  private async agentCommand(
    agentId: string,
    command: Pick<AgentCommand, 'type' | 'data'>,
    meta: RequestMeta,
    applies: (state: AgentState) => boolean = () => true,
  ): Promise<AgentState> {
    const metadata: CommandMetadata = { now: this.clock().toISOString(), commandId: this.newId(), actor: meta.actor, requestId: meta.requestId };
    const full = { ...command, metadata } as AgentCommand;
    const result = await handleAgent(this.store, agentStreamId(agentId), (state) => (applies(state) ? decideAgent(full, state) : []), {
      metadata: eventMetadata(meta, agentId),
    });
    return result.newState;
  }

  private async execute(agentId: string, command: Pick<AgentCredentialsCommand, 'type' | 'data'>, meta: RequestMeta): Promise<AgentCredentialsState> {
    const metadata: CommandMetadata = { now: this.clock().toISOString(), commandId: this.newId(), actor: meta.actor, requestId: meta.requestId };
    const full = { ...command, metadata } as AgentCredentialsCommand;
    const result = await handleCredentials(this.store, agentCredentialsStream(agentId), (state) => decideAgentCredentials(full, state), {
      metadata: eventMetadata(meta, agentId),
    });
    return result.newState;
  }
}
