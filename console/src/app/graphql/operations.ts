/**
 * Every GraphQL document the console sends, as plain strings: the console turns them into
 * documents, and test/console/operations.int.test.ts validates each against schema.graphql so that a
 * schema change the console does not follow fails the build.
 */

// ---------------------------------------------------------------- fragments

export const ME_FIELDS = /* GraphQL */ `
  fragment MeFields on Me {
    userId
    username
    displayName
    roles
    agentId
    deviceId
    sessionId
  }
`;

export const TELEPHONY_FIELDS = /* GraphQL */ `
  fragment TelephonyFields on TelephonyToken {
    loginToken
    sipUsername
    expiresAt
  }
`;

// ---------------------------------------------------------------- session and softphone

export const LOGIN = /* GraphQL */ `
  mutation Login($username: String!, $password: String!, $deviceId: String!) {
    login(username: $username, password: $password, deviceId: $deviceId) {
      accessToken
      accessTokenExpiresAt
      refreshToken
      refreshTokenExpiresAt
      me { ...MeFields }
      telephony { ...TelephonyFields }
      telephonyError
    }
  }
  ${ME_FIELDS}
  ${TELEPHONY_FIELDS}
`;

export const REFRESH_SESSION = /* GraphQL */ `
  mutation RefreshSession($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) {
      accessToken
      accessTokenExpiresAt
      refreshToken
      refreshTokenExpiresAt
      me { ...MeFields }
    }
  }
  ${ME_FIELDS}
`;

export const LOGOUT = /* GraphQL */ `
  mutation Logout {
    logout
  }
`;

export const ME = /* GraphQL */ `
  query Me {
    me { ...MeFields }
  }
  ${ME_FIELDS}
`;

export const SESSION_EVENTS = /* GraphQL */ `
  subscription SessionEvents {
    sessionEvents {
      type
      endsThisSession
      sessionId
      occurredAt
    }
  }
`;

export const REFRESH_TELEPHONY_TOKEN = /* GraphQL */ `
  mutation RefreshTelephonyToken($deviceId: String) {
    refreshTelephonyToken(deviceId: $deviceId) { ...TelephonyFields }
  }
  ${TELEPHONY_FIELDS}
`;

export const REPORT_SOFTPHONE_REGISTRATION = /* GraphQL */ `
  mutation ReportSoftphoneRegistration($deviceId: String, $registered: Boolean!) {
    reportSoftphoneRegistration(deviceId: $deviceId, registered: $registered) {
      agentId
      deviceId
      registered
      sipUsername
    }
  }
`;
