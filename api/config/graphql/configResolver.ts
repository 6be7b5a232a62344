import { JSONScalar as GraphQLJSON } from '../../graphql/jsonScalar';
import { Arg, Ctx, Field, Mutation, ObjectType, Resolver } from 'type-graphql';
import { AGENT_IDLE_TIME_PROJECTION } from '../../../projections/agent-idle-time/agentIdleTimeProjection';
import { QUEUE_PROJECTION } from '../../../projections/queue/queueProjection';
import { CommandHandler, deterministicId } from '../../core/decider';
import { ValidationError } from '../../core/errors';
import { ActionOutcome, afterAppend } from '../../graphql/actions';
import { Allow } from '../../graphql/authorization';
import type { GraphQLContext } from '../../graphql/context';
import {
  configStreamFor,
  configurationDecider,
  validateAgentProfile,
  validateBusinessHours,
  validateIvrMenu,
  validatePhoneNumber,
  validateQueue,
  validateSettings,
  type ConfigCommand,
} from '../configDecider';

const CONFIG_VIEWS = [QUEUE_PROJECTION, AGENT_IDLE_TIME_PROJECTION];

@ObjectType({ description: 'A configuration change: what was appended to which stream, and its version for the next change.', implements: ActionOutcome, simpleResolvers: true })
export class ConfigurationResult extends ActionOutcome {
  @Field(() => String)
  streamId!: string;

  @Field(() => String, { nullable: true, description: "The stream's revision after the change (pass it as expectedVersion next time); null when the stream is empty." })
  version!: string | null;
}

const EXPECTED_VERSION = {
  nullable: true,
  description: "The stream revision the change was made against (from a previous result, or eventHistory's last revision): CONFLICT when the stream has moved on. Omit to apply to the latest.",
} as const;

type WithoutMetadata<C> = C extends unknown ? Omit<C, 'metadata'> : never;
type CommandWithoutMetadata = WithoutMetadata<ConfigCommand>;

const revisionOf = (expectedVersion: string | undefined): bigint | undefined => {
  if (expectedVersion === undefined || expectedVersion === null) return undefined;
  if (!/^[0-9]{1,20}$/.test(expectedVersion)) throw new ValidationError('expectedVersion is a stream revision (a decimal string)');
  return BigInt(expectedVersion);
};

const idArg = (value: string, what: string): string => {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/.test(value)) throw new ValidationError(`Invalid ${what}`);
  return value;
};

/**
 * Admin configuration: queues, IVR menus, agent profiles (skills), business hours, phone numbers and
 * settings. Each input is the entity as docs/events.md describes it (validated by the configuration
 * decider); each change is an event on the entity's config stream.
 */
@Resolver()
export class ConfigurationResolver {
  @Allow('admin')
  @Mutation(() => ConfigurationResult, { description: 'Creates or replaces a queue (queueId, name, strategy, priority, skills, service level, overflow…).' })
  configureQueue(@Ctx() ctx: GraphQLContext, @Arg('queue', () => GraphQLJSON) queue: unknown, @Arg('expectedVersion', () => String, EXPECTED_VERSION) expectedVersion?: string) {
    return this.apply(ctx, { type: 'ConfigureQueue', data: { queue: validateQueue(queue) } }, expectedVersion);
  }

  @Allow('admin')
  @Mutation(() => ConfigurationResult)
  removeQueue(@Ctx() ctx: GraphQLContext, @Arg('queueId', () => String) queueId: string, @Arg('expectedVersion', () => String, EXPECTED_VERSION) expectedVersion?: string) {
    return this.apply(ctx, { type: 'RemoveQueue', data: { queueId: idArg(queueId, 'queueId') } }, expectedVersion);
  }

  @Allow('admin')
  @Mutation(() => ConfigurationResult, { description: 'Creates or replaces an IVR menu (menuId, prompts, options and their actions).' })
  configureIvrMenu(@Ctx() ctx: GraphQLContext, @Arg('menu', () => GraphQLJSON) menu: unknown, @Arg('expectedVersion', () => String, EXPECTED_VERSION) expectedVersion?: string) {
    return this.apply(ctx, { type: 'ConfigureIvrMenu', data: { menu: validateIvrMenu(menu) } }, expectedVersion);
  }

  @Allow('admin')
  @Mutation(() => ConfigurationResult)
  removeIvrMenu(@Ctx() ctx: GraphQLContext, @Arg('menuId', () => String) menuId: string, @Arg('expectedVersion', () => String, EXPECTED_VERSION) expectedVersion?: string) {
    return this.apply(ctx, { type: 'RemoveIvrMenu', data: { menuId: idArg(menuId, 'menuId') } }, expectedVersion);
  }

  @Allow('admin')
  @Mutation(() => ConfigurationResult, { description: "Creates or replaces an agent profile: name, skills and levels, languages, queues, supervisor." })
  configureAgentProfile(@Ctx() ctx: GraphQLContext, @Arg('agent', () => GraphQLJSON) agent: unknown, @Arg('expectedVersion', () => String, EXPECTED_VERSION) expectedVersion?: string) {
    return this.apply(ctx, { type: 'ConfigureAgentProfile', data: { agent: validateAgentProfile(agent) } }, expectedVersion);
  }

  @Allow('admin')
  @Mutation(() => ConfigurationResult)
  removeAgentProfile(@Ctx() ctx: GraphQLContext, @Arg('agentId', () => String) agentId: string, @Arg('expectedVersion', () => String, EXPECTED_VERSION) expectedVersion?: string) {
    return this.apply(ctx, { type: 'RemoveAgentProfile', data: { agentId: idArg(agentId, 'agentId') } }, expectedVersion);
  }

  @Allow('admin')
  @Mutation(() => ConfigurationResult, { description: 'Creates or replaces business hours (hoursId, time zone, weekly hours, holidays).' })
  configureBusinessHours(@Ctx() ctx: GraphQLContext, @Arg('hours', () => GraphQLJSON) hours: unknown, @Arg('expectedVersion', () => String, EXPECTED_VERSION) expectedVersion?: string) {
    return this.apply(ctx, { type: 'ConfigureBusinessHours', data: { hours: validateBusinessHours(hours) } }, expectedVersion);
  }

  @Allow('admin')
  @Mutation(() => ConfigurationResult)
  removeBusinessHours(@Ctx() ctx: GraphQLContext, @Arg('hoursId', () => String) hoursId: string, @Arg('expectedVersion', () => String, EXPECTED_VERSION) expectedVersion?: string) {
    return this.apply(ctx, { type: 'RemoveBusinessHours', data: { hoursId: idArg(hoursId, 'hoursId') } }, expectedVersion);
  }

  @Allow('admin')
  @Mutation(() => ConfigurationResult, { description: "Creates or replaces a phone number's routing (its IVR menu and business hours; '*' for any number)." })
  configurePhoneNumber(@Ctx() ctx: GraphQLContext, @Arg('phoneNumber', () => GraphQLJSON) phoneNumber: unknown, @Arg('expectedVersion', () => String, EXPECTED_VERSION) expectedVersion?: string) {
    return this.apply(ctx, { type: 'ConfigurePhoneNumber', data: { phoneNumber: validatePhoneNumber(phoneNumber) } }, expectedVersion);
  }

  @Allow('admin')
  @Mutation(() => ConfigurationResult)
  removePhoneNumber(@Ctx() ctx: GraphQLContext, @Arg('number', () => String) number: string, @Arg('expectedVersion', () => String, EXPECTED_VERSION) expectedVersion?: string) {
    return this.apply(ctx, { type: 'RemovePhoneNumber', data: { number } }, expectedVersion);
  }

  @Allow('admin')
  @Mutation(() => ConfigurationResult, { description: 'Replaces the contact center settings (languages, timeouts, recording, voicemail…).' })
  configureSettings(@Ctx() ctx: GraphQLContext, @Arg('settings', () => GraphQLJSON) settings: unknown, @Arg('expectedVersion', () => String, EXPECTED_VERSION) expectedVersion?: string) {
    return this.apply(ctx, { type: 'ConfigureSettings', data: { settings: validateSettings(settings) } }, expectedVersion);
  }

  /** Decides with the configuration decider and appends, pinned to `expectedVersion` when given. */
  private async apply(ctx: GraphQLContext, command: CommandWithoutMetadata, expectedVersion: string | undefined): Promise<ConfigurationResult> {
    const expectedRevision = revisionOf(expectedVersion);
    const actor = ctx.user?.userId ?? 'anonymous';
    const partial = { ...command, metadata: { now: ctx.services.clock().toISOString(), commandId: '', actor, requestId: ctx.requestId } } as ConfigCommand;
    const streamId = configStreamFor(partial);
    const full = { ...partial, metadata: { ...partial.metadata, commandId: deterministicId('request', ctx.requestId, command.type, streamId), correlationId: streamId, causationId: ctx.requestId } } as ConfigCommand;
    const result = await CommandHandler(configurationDecider)(ctx.services.eventStore, streamId, (state) => configurationDecider.decide(full, state), {
      ...(expectedRevision !== undefined ? { expectedRevision } : {}),
      metadata: { actor, requestId: ctx.requestId, causationId: ctx.requestId, correlationId: streamId },
    });
    if (result.position !== undefined) {
      // Agent and call commands are decided against this configuration: make the change visible to them too.
      await ctx.services.configuration?.waitFor(result.position).catch((error: unknown) => ctx.logger.warn({ err: error }, 'configuration view behind after a change'));
    }
    const appended = await afterAppend(ctx, { position: result.position ?? null, events: result.newEvents.map((e) => e.type) }, CONFIG_VIEWS);
    return Object.assign(new ConfigurationResult(), {
      ...appended,
      streamId,
      version: result.nextExpectedRevision === 'no_stream' ? null : result.nextExpectedRevision.toString(),
    });
  }
}
