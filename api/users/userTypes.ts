import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { RoleEnum } from '../graphql/roleEnum';
import type { ExistingUser, Role } from './user';

@ObjectType({ description: 'A person who signs in to the console.' })
export class User {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  username!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => [RoleEnum])
  roles!: Role[];

  @Field(() => String, { nullable: true, description: 'The agent this user answers calls as.' })
  agentId?: string;

  @Field(() => Boolean)
  active!: boolean;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Int, { description: 'Sessions not logged out, revoked or expired.' })
  activeSessions!: number;

  static from(state: ExistingUser, now: Date): User {
    return Object.assign(new User(), {
      id: state.userId,
      username: state.username,
      displayName: state.displayName,
      roles: state.roles,
      agentId: state.agentId,
      active: state.status === 'active',
      createdAt: new Date(state.createdAt),
      activeSessions: Object.values(state.sessions).filter((s) => new Date(s.expiresAt) > now).length,
    });
  }
}

@InputType()
export class CreateUserInput {
  @Field(() => String, { description: '2-64 characters: letters, digits, _ . @ -; unique, case-insensitively.' })
  username!: string;

  @Field(() => String, { nullable: true, description: 'Defaults to the username.' })
  displayName?: string;

  @Field(() => String, { description: 'At least 8 characters, at most 72 bytes.' })
  password!: string;

  @Field(() => [RoleEnum])
  roles!: Role[];

  @Field(() => String, { nullable: true, description: 'Required with the AGENT role: the agent id (as in the agent profiles).' })
  agentId?: string;
}
