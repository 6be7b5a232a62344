import { IllegalStateError, NotFoundError } from '../core/errors';
import { DeciderSpecification } from '../../test/support/deciderSpecification';
import { agentCredentialsDecider, type AgentCredentialsCommand, type AgentCredentialsEvent } from './agentCredentials';

const at = '2025-03-01T09:00:00.000Z';
const given = DeciderSpecification.for(agentCredentialsDecider);
const cmd = (type: AgentCredentialsCommand['type'], data: AgentCredentialsCommand['data']): AgentCredentialsCommand =>
  ({ type, data, metadata: { now: at, commandId: 'c' } }) as AgentCredentialsCommand;

const created: AgentCredentialsEvent = {
  type: 'TelephonyCredentialCreated',
  data: { credentialId: 'cred-1', sipUsername: 'gencred1', deviceId: 'd1', agentId: 'alice', userId: 'u1', occurredAt: at },
};
const registered: AgentCredentialsEvent = {
  type: 'SoftphoneRegistrationChanged',
  data: { agentId: 'alice', deviceId: 'd1', sipUsername: 'gencred1', registered: true, occurredAt: at },
};

describe('agent credentials decider', () => {
  it('records one credential per device; recording the same one again is a no-op', () => {
    const record = (credentialId: string) => cmd('RecordCredential', { agentId: 'alice', userId: 'u1', deviceId: 'd1', credentialId, sipUsername: 'gencred1' });
    given().when(record('cred-1')).then([created]);
    given(created).when(record('cred-1')).thenNothingHappens();
    given(created).when(record('cred-2')).thenThrows(IllegalStateError);
  });

  it('records registration changes of a device that has a credential, once per change', () => {
    given(created).when(cmd('ReportRegistration', { agentId: 'alice', deviceId: 'd1', registered: true })).then([registered]);
    given([created, registered]).when(cmd('ReportRegistration', { agentId: 'alice', deviceId: 'd1', registered: true })).thenNothingHappens();
    given().when(cmd('ReportRegistration', { agentId: 'alice', deviceId: 'd1', registered: true })).thenThrows(NotFoundError);
  });

  it('unregisters a registered device explicitly when its credential is revoked', () => {
    given([created, registered])
      .when(cmd('RevokeCredential', { agentId: 'alice', deviceId: 'd1', credentialId: 'cred-1', reason: 'logout' }))
      .thenMatches((events, state) => {
        expect(events.map((e) => e.type)).toEqual(['SoftphoneRegistrationChanged', 'TelephonyCredentialRevoked']);
        expect(events[0].data).toMatchObject({ registered: false });
        expect(state.devices).toEqual({});
      });
  });

  it('ignores the revocation of a credential the device no longer has', () => {
    given(created).when(cmd('RevokeCredential', { agentId: 'alice', deviceId: 'd1', credentialId: 'cred-0', reason: 'logout' })).thenNothingHappens();
  });
});
