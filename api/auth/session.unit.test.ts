import { UnauthenticatedError } from '../core/errors';
import { DeciderSpecification } from '../../test/support/deciderSpecification';
import { RefreshTokenReusedError, sessionDecider, type SessionCommand, type SessionEvent } from './session';

const at = '2025-03-01T09:00:00.000Z';
const given = DeciderSpecification.for(sessionDecider);
const rotate = (presented: string, next: string): SessionCommand => ({
  type: 'RotateRefreshToken',
  data: { sessionId: 's1', userId: 'u1', initialRefreshTokenId: 'r0', presentedRefreshTokenId: presented, nextRefreshTokenId: next },
  metadata: { now: at, commandId: 'c' },
});
const refreshed = (previous: string, next: string): SessionEvent => ({
  type: 'SessionRefreshed',
  data: { sessionId: 's1', userId: 'u1', previousRefreshTokenId: previous, refreshTokenId: next, occurredAt: at },
});

describe('refresh-token rotation', () => {
  it('takes the login refresh token first, then only the latest one', () => {
    given().when(rotate('r0', 'r1')).then([refreshed('r0', 'r1')]);
    given(refreshed('r0', 'r1')).when(rotate('r1', 'r2')).then([refreshed('r1', 'r2')]);
  });

  it('recognises a spent refresh token as reuse', () => {
    given(refreshed('r0', 'r1')).when(rotate('r0', 'r2')).thenThrows(RefreshTokenReusedError);
    given([refreshed('r0', 'r1'), refreshed('r1', 'r2')]).when(rotate('r1', 'r3')).thenThrows(RefreshTokenReusedError);
  });

  it('refuses an id it never issued without calling it reuse', () => {
    given(refreshed('r0', 'r1'))
      .when(rotate('forged', 'r2'))
      .thenThrows(UnauthenticatedError, (e) => !(e instanceof RefreshTokenReusedError));
  });
});
