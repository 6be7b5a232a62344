import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { RoleEnum } from '../graphql/roleEnum';
import type { SessionEventPayload } from '../graphql/pubSub';
import { TelephonyToken } from '../telephonyCredentials/telephonyTypes';
import type { Role } from '../users/user';
import type { AuthenticatedUser, LoginResult, SessionTokenPair } from './authService';

@ObjectType({ description: 'The signed-in user and this session.' })
export class Me {
  @Field(() => ID)
  userId!: string;

  @Field(() => String)
  username!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => [RoleEnum])
  roles!: Role[];

  @Field(() => String, { nullable: true })
  agentId?: string;

  @Field(() => ID)
  sessionId!: string;

  @Field(() => String)
  deviceId!: string;

  static from(user: AuthenticatedUser): Me {
    return Object.assign(new Me(), user);
  }
}

@ObjectType({ description: 'Send accessToken as `Authorization: Bearer …` (and as connectionParams.authorization on graphql-ws); trade refreshToken for new tokens before accessTokenExpiresAt.' })
export class SessionPayload {
  @Field(() => String)
  accessToken!: string;

  @Field(() => Date)
  accessTokenExpiresAt!: Date;

  @Field(() => String, { description: 'Single use: each refresh returns the next one. Presenting a used one ends the session.' })
  refreshToken!: string;

  @Field(() => Date)
  refreshTokenExpiresAt!: Date;

  @Field(() => Me)
  me!: Me;

  static fromTokens(tokens: SessionTokenPair, user: AuthenticatedUser): SessionPayload {
    return Object.assign(new SessionPayload(), {
      accessToken: tokens.accessToken,
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      refreshToken: tokens.refreshToken,
      refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
      me: Me.from(user),
    });
  }
}

@ObjectType()
export class LoginPayload extends SessionPayload {
  @Field(() => TelephonyToken, { nullable: true, description: 'The softphone login, for users linked to an agent.' })
  telephony?: TelephonyToken;

  @Field(() => String, { nullable: true, description: 'Why telephony is missing for an agent; retry with refreshTelephonyToken.' })
  telephonyError?: string;

  static fromResult(result: LoginResult): LoginPayload {
    return Object.assign(new LoginPayload(), SessionPayload.fromTokens(result, result.user), {
      telephony: result.telephony ? TelephonyToken.from(result.telephony) : undefined,
      telephonyError: result.telephonyError,
    });
  }
}

export enum SessionEventType {
  UserLoggedIn = 'UserLoggedIn',
  UserLoggedOut = 'UserLoggedOut',
  SessionsRevoked = 'SessionsRevoked',
  UserDeactivated = 'UserDeactivated',
  UserRolesChanged = 'UserRolesChanged',
  UserPasswordChanged = 'UserPasswordChanged',
}
registerEnumType(SessionEventType, { name: 'SessionEventType' });

@ObjectType({ description: "A change to the caller's own account or sessions." })
export class SessionEvent {
  @Field(() => SessionEventType)
  type!: SessionEventType;

  @Field(() => ID)
  userId!: string;

  @Field(() => ID, { nullable: true, description: 'The session it concerns; null when it concerns all of them.' })
  sessionId?: string;

  @Field(() => Boolean, { description: 'Whether this session (the subscriber\'s) has ended with it.' })
  endsThisSession!: boolean;

  @Field(() => Date)
  occurredAt!: Date;

  @Field(() => String, { description: 'The event-store position of the event.' })
  position!: string;

  static from(payload: SessionEventPayload, subscriberSessionId: string): SessionEvent {
    const endsAll = payload.type === 'SessionsRevoked' || payload.type === 'UserDeactivated';
    return Object.assign(new SessionEvent(), {
      type: payload.type as SessionEventType,
      userId: payload.userId,
      sessionId: payload.sessionId,
      endsThisSession: endsAll || (payload.type === 'UserLoggedOut' && payload.sessionId === subscriberSessionId),
      occurredAt: new Date(payload.occurredAt),
      position: String(payload.position),
    });
  }
}
