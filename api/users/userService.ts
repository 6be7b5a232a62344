import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CommandHandler, type CommandMetadata } from '../core/decider';
import { IllegalStateError, ValidationError, WrongExpectedVersionError } from '../core/errors';
import type { EventMetadata, EventStore, RecordedEvent } from '../infrastructure/eventStore/eventStore';
import { validatePassword, type PasswordHasher } from './passwords';
import {
  USER_EVENT_TYPES,
  decideUser,
  evolveUser,
  initialUserState,
  profileOf,
  userStreams,
  validateRoles,
  type ExistingUser,
  type Role,
  type UserCommand,
  type UserEvent,
  type UserProfile,
  type UserState,
  type UsernameReserved,
} from './user';

/** Who asked, for the metadata of every appended event. */
export interface RequestMeta {
  /** The acting user's id, or 'system' / 'cli'. */
  actor: string;
  requestId: string;
}

export interface ReadYourWrites {
  /** Resolves once the local view of users has applied the event at `position`. */
  waitFor(position: bigint): Promise<void>;
}

export interface UserServiceOptions {
  eventStore: EventStore;
  passwords: PasswordHasher;
  clock?: () => Date;
  newId?: () => string;
  view?: ReadYourWrites;
}

export interface NewUser {
  username: string;
  displayName?: string;
  password: string;
  roles: Role[];
  agentId?: string;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const NewUserSchema = z.object({
  username: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$/, 'a username is 2-64 characters: letters, digits, _ . @ -'),
  displayName: z.string().trim().min(1, 'the display name is empty').max(100, 'the display name is longer than 100 characters').optional(),
  agentId: z.string().regex(ID, 'an agent id is 1-64 characters: letters, digits, _ . -').optional(),
});

const zodMessage = (error: z.ZodError): string => error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');

export const upcastUserEvent = (recorded: RecordedEvent): UserEvent | undefined =>
  USER_EVENT_TYPES.has(recorded.type) ? ({ type: recorded.type, data: recorded.data } as UserEvent) : undefined;

const handleUser = CommandHandler<UserState, UserEvent>({ evolve: evolveUser, initialState: initialUserState }, upcastUserEvent);

export const eventMetadata = (meta: RequestMeta, correlationId: string): EventMetadata => ({
  actor: meta.actor,
  requestId: meta.requestId,
  causationId: meta.requestId,
  correlationId,
});

/** The write side of users: every change is a decided event on `user-<userId>`. */
export class UserService {
  private readonly store: EventStore;
  private readonly passwords: PasswordHasher;
  private readonly clock: () => Date;
  private readonly newId: () => string;
  private readonly view?: ReadYourWrites;

  constructor(options: UserServiceOptions) {
    this.store = options.eventStore;
    this.passwords = options.passwords;
    this.clock = options.clock ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.view = options.view;
  }

  now(): string {
    return this.clock().toISOString();
  }

  async load(userId: string): Promise<UserState> {
    const recorded = await this.store.readStream(userStreams.user(userId));
    return recorded.reduce<UserState>((state, r) => {
      const event = upcastUserEvent(r);
      return event ? evolveUser(state, event) : state;
    }, initialUserState());
  }

  async findUserId(username: string): Promise<string | undefined> {
    const reservations = await this.store.readStream(userStreams.username(username), { direction: 'backwards', fromRevision: 'end', maxCount: 1 });
    const last = reservations[0] as RecordedEvent<string, UsernameReserved['data']> | undefined;
    return last?.type === 'UsernameReserved' ? last.data.userId : undefined;
  }

  async findByUsername(username: string): Promise<ExistingUser | undefined> {
    const userId = await this.findUserId(username);
    if (!userId) return undefined;
    const state = await this.load(userId);
    return state.status === 'none' ? undefined : state;
  }

  async create(input: NewUser, meta: RequestMeta): Promise<UserProfile> {
    const parsed = NewUserSchema.safeParse(input);
    if (!parsed.success) throw new ValidationError(zodMessage(parsed.error));
    validatePassword(input.password);
    const roles = validateRoles(input.roles, input.agentId);
    const userId = this.newId();
    const passwordHash = await this.passwords.hash(input.password);
    await this.reserveUsername(input.username, userId, meta);
    const result = await this.execute(
      userId,
      {
        type: 'CreateUser',
        data: {
          userId,
          username: input.username,
          displayName: parsed.data.displayName ?? input.username,
          roles,
          passwordHash,
          ...(input.agentId ? { agentId: input.agentId } : {}),
        },
      },
      meta,
    );
    return profileOf(result.state as ExistingUser);
  }

  async setPassword(userId: string, password: string, revokeSessions: boolean, meta: RequestMeta): Promise<ExistingUser> {
    validatePassword(password);
    const passwordHash = await this.passwords.hash(password);
    return (await this.execute(userId, { type: 'ChangePassword', data: { passwordHash, revokeSessions } }, meta)).state;
  }

  async setRoles(userId: string, roles: Role[], meta: RequestMeta): Promise<ExistingUser> {
    return (await this.execute(userId, { type: 'ChangeRoles', data: { roles } }, meta)).state;
  }

  /**
   * Decides `command` against the user's stream and appends the result (retrying on a concurrent
   * append), then waits until the local user view has it, so the next request sees the change.
   */
  async execute(
    userId: string,
    command: Pick<UserCommand, 'type' | 'data'> & { metadata?: Partial<CommandMetadata> },
    meta: RequestMeta,
  ): Promise<{ state: ExistingUser; events: UserEvent[]; position?: bigint }> {
    const metadata: CommandMetadata = { now: this.now(), commandId: this.newId(), actor: meta.actor, requestId: meta.requestId, ...command.metadata };
    const full = { type: command.type, data: command.data, metadata } as UserCommand;
    const result = await handleUser(this.store, userStreams.user(userId), (state) => decideUser(full, state), {
      metadata: eventMetadata(meta, userId),
    });
    if (result.position !== undefined) await this.view?.waitFor(result.position);
    return { state: result.newState as ExistingUser, events: result.newEvents, position: result.position };
  }

  /**
   * Holds the username for `userId`. A reservation whose user stream was never written (the create
   * failed after reserving) does not block the name: it is taken over with the reservation's revision.
   */
  private async reserveUsername(username: string, userId: string, meta: RequestMeta): Promise<void> {
    const streamId = userStreams.username(username);
    const event = () => ({
      id: randomUUID(),
      type: 'UsernameReserved',
      data: { username, userId, occurredAt: this.now() } satisfies UsernameReserved['data'],
      metadata: eventMetadata(meta, userId),
    });
    try {
      await this.store.append(streamId, [event()], { expectedRevision: 'no_stream' });
      return;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    const holder = await this.findUserId(username);
    const revision = await this.store.streamRevision(streamId);
    if (holder === undefined || revision === 'no_stream' || (await this.load(holder)).status !== 'none') {
      throw new IllegalStateError(`The username '${username}' is taken`);
    }
    try {
      await this.store.append(streamId, [event()], { expectedRevision: revision });
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw new IllegalStateError(`The username '${username}' is taken`);
      throw error;
    }
  }
}
