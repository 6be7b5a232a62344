import { IllegalStateError, NotFoundError, ValidationError } from '../core/errors';
import { DeciderSpecification } from '../../test/support/deciderSpecification';
import { userDecider, type UserCommand, type UserEvent } from './user';

const at = '2025-03-01T09:00:00.000Z';
const later = '2025-03-01T22:00:00.000Z';
const meta = (now = at) => ({ now, commandId: 'c1', actor: 'admin-1', requestId: 'r1' });
const given = DeciderSpecification.for(userDecider);

const created: UserEvent = {
  type: 'UserCreated',
  data: { userId: 'u1', username: 'alice', displayName: 'Alice', roles: ['agent'], passwordHash: 'h1', agentId: 'alice', occurredAt: at },
};
const loggedIn = (sessionId: string, deviceId: string, expiresAt: string, occurredAt = at): UserEvent => ({
  type: 'UserLoggedIn',
  data: { userId: 'u1', sessionId, deviceId, refreshTokenId: `r-${sessionId}`, expiresAt, occurredAt },
});
const cmd = <C extends UserCommand>(type: C['type'], data: C['data'], now = at): UserCommand => ({ type, data, metadata: meta(now) }) as UserCommand;

describe('user decider', () => {
  it('creates a user with its roles in canonical order', () => {
    given()
      .when(cmd('CreateUser', { userId: 'u1', username: 'alice', displayName: 'Alice', roles: ['agent'], passwordHash: 'h1', agentId: 'alice' }))
      .then([created]);
  });

  it('refuses the agent role without an agent id, and no roles at all', () => {
    given()
      .when(cmd('CreateUser', { userId: 'u2', username: 'x1', displayName: 'X', roles: ['agent'], passwordHash: 'h' }))
      .thenThrows(ValidationError, (e) => /agent id/.test(e.message));
    given().when(cmd('CreateUser', { userId: 'u2', username: 'x1', displayName: 'X', roles: [], passwordHash: 'h' })).thenThrows(ValidationError);
  });

  it('does not create a user twice, and does nothing to a user that does not exist', () => {
    given(created).when(cmd('CreateUser', { userId: 'u1', username: 'alice', displayName: 'A', roles: ['admin'], passwordHash: 'h' })).thenThrows(IllegalStateError);
    given().when(cmd('ChangeRoles', { roles: ['admin'] })).thenThrows(NotFoundError);
  });

  it('changes roles only when they differ', () => {
    given(created).when(cmd('ChangeRoles', { roles: ['agent'] })).thenNothingHappens();
    given(created).when(cmd('ChangeRoles', { roles: ['supervisor', 'agent'] })).then([{ type: 'UserRolesChanged', data: { userId: 'u1', roles: ['agent', 'supervisor'], occurredAt: at } }]);
  });

  it('logs in and out; logging out of an unknown session is a no-op', () => {
    given(created)
      .when(cmd('LogIn', { sessionId: 's1', deviceId: 'd1', refreshTokenId: 'r-s1', expiresAt: later }))
      .thenMatches((events, state) => {
        expect(events).toEqual([loggedIn('s1', 'd1', later)]);
        expect(state.status === 'active' && Object.keys(state.sessions)).toEqual(['s1']);
      });
    given([created, loggedIn('s1', 'd1', later)]).when(cmd('LogOut', { sessionId: 's1', reason: 'logout' })).then([
      { type: 'UserLoggedOut', data: { userId: 'u1', sessionId: 's1', reason: 'logout', occurredAt: at } },
    ]);
    given([created, loggedIn('s1', 'd1', later)]).when(cmd('LogOut', { sessionId: 'other', reason: 'logout' })).thenNothingHappens();
  });

  it('forgets sessions whose refresh token expired when the next login comes', () => {
    given([created, loggedIn('old', 'd1', '2025-03-01T10:00:00.000Z')])
      .when(cmd('LogIn', { sessionId: 's2', deviceId: 'd2', refreshTokenId: 'r-s2', expiresAt: '2025-03-02T09:00:00.000Z' }, later))
      .thenMatches((_events, state) => expect(state.status === 'active' && Object.keys(state.sessions)).toEqual(['s2']));
  });

  it('revocation, deactivation and a password reset end every session', () => {
    const history = [created, loggedIn('s1', 'd1', later), loggedIn('s2', 'd2', later)];
    given(history)
      .when(cmd('RevokeSessions', {}))
      .thenMatches((events, state) => {
        expect(events).toEqual([{ type: 'SessionsRevoked', data: { userId: 'u1', sessionIds: ['s1', 's2'], occurredAt: at } }]);
        expect(state.status === 'active' && state.sessions).toEqual({});
      });
    given(history)
      .when(cmd('DeactivateUser', {}))
      .thenMatches((_events, state) => expect(state).toMatchObject({ status: 'deactivated', sessions: {} }));
    given(history)
      .when(cmd('ChangePassword', { passwordHash: 'h2', revokeSessions: true }))
      .thenMatches((events, state) => {
        expect(events.map((e) => e.type)).toEqual(['UserPasswordChanged', 'SessionsRevoked']);
        expect(state).toMatchObject({ passwordHash: 'h2', sessions: {} });
      });
  });

  it('refuses a login of a deactivated user; deactivating twice is a no-op', () => {
    const deactivated: UserEvent = { type: 'UserDeactivated', data: { userId: 'u1', occurredAt: at } };
    given([created, deactivated]).when(cmd('LogIn', { sessionId: 's1', deviceId: 'd1', refreshTokenId: 'r', expiresAt: later })).thenThrows(IllegalStateError);
    given([created, deactivated]).when(cmd('DeactivateUser', {})).thenNothingHappens();
    given([created, deactivated]).when(cmd('ReactivateUser', {})).then([{ type: 'UserReactivated', data: { userId: 'u1', occurredAt: at } }]);
  });
});
