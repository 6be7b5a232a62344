import { Field, ObjectType } from 'type-graphql';
import type { SoftphoneRegistrationView, TelephonyLogin } from './credentialService';

@ObjectType({ description: "The softphone's Telnyx WebRTC login (TelnyxRTC `login_token`)." })
export class TelephonyToken {
  @Field(() => String)
  loginToken!: string;

  @Field(() => String, { description: 'The SIP user the router dials: sip:<sipUsername>@sip.telnyx.com.' })
  sipUsername!: string;

  @Field(() => Date, { description: "The token's own expiry; fetch a new one well before it (refreshTelephonyToken)." })
  expiresAt!: Date;

  static from(login: TelephonyLogin): TelephonyToken {
    return Object.assign(new TelephonyToken(), { loginToken: login.loginToken, sipUsername: login.sipUsername, expiresAt: login.expiresAt });
  }
}

@ObjectType()
export class SoftphoneRegistration {
  @Field(() => String)
  agentId!: string;

  @Field(() => String)
  deviceId!: string;

  @Field(() => String)
  sipUsername!: string;

  @Field(() => Boolean)
  registered!: boolean;

  static from(view: SoftphoneRegistrationView): SoftphoneRegistration {
    return Object.assign(new SoftphoneRegistration(), view);
  }
}
