import { IllegalStateError } from '../core/errors';
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
describe('agent credentials decider', () => {
  it('records one credential per device; recording the same one again is a no-op', () => {
    const record = (credentialId: string) => cmd('RecordCredential', { agentId: 'alice', userId: 'u1', deviceId: 'd1', credentialId, sipUsername: 'gencred1' });
    given().when(record('cred-1')).then([created]);
    given(created).when(record('cred-1')).thenNothingHappens();
    given(created).when(record('cred-2')).thenThrows(IllegalStateError);
  });

  it('revokes the device credential', () => {
    given(created)
      .when(cmd('RevokeCredential', { agentId: 'alice', deviceId: 'd1', credentialId: 'cred-1', reason: 'logout' }))
      .thenMatches((events, state) => {
        expect(events).toEqual([
          { type: 'TelephonyCredentialRevoked', data: { credentialId: 'cred-1', sipUsername: 'gencred1', deviceId: 'd1', agentId: 'alice', reason: 'logout', occurredAt: at } },
        ]);
        expect(state.devices).toEqual({});
      });
  });

  it('ignores the revocation of a credential the device no longer has', () => {
    given(created).when(cmd('RevokeCredential', { agentId: 'alice', deviceId: 'd1', credentialId: 'cred-0', reason: 'logout' })).thenNothingHappens();
  });
});
