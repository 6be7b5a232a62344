import type { z } from 'zod';
import type { Command, Decider } from '../core/decider';
import { ValidationError } from '../core/errors';
import {
  agentProfileSchema,
  businessHoursConfigSchema,
  configStreams,
  contactCenterSettingsSchema,
  emptyConfiguration,
  evolveConfiguration,
  ivrMenuConfigSchema,
  phoneNumberConfigSchema,
  queueConfigSchema,
  type AgentProfile,
  type BusinessHoursConfig,
  type ConfigEvent,
  type ContactCenterConfig,
  type ContactCenterSettings,
  type IvrAction,
  type IvrMenuConfig,
  type PhoneNumberConfig,
  type QueueConfig,
} from './config';
import { isValidTimeZone, minutesOf } from './businessHours';

////////////////////////////////////////// Commands

export type ConfigureQueue = Command<'ConfigureQueue', { queue: QueueConfig }>;
export type RemoveQueue = Command<'RemoveQueue', { queueId: string }>;
export type ConfigureIvrMenu = Command<'ConfigureIvrMenu', { menu: IvrMenuConfig }>;
export type RemoveIvrMenu = Command<'RemoveIvrMenu', { menuId: string }>;
export type ConfigureAgentProfile = Command<'ConfigureAgentProfile', { agent: AgentProfile }>;
export type RemoveAgentProfile = Command<'RemoveAgentProfile', { agentId: string }>;
export type ConfigureBusinessHours = Command<'ConfigureBusinessHours', { hours: BusinessHoursConfig }>;
export type RemoveBusinessHours = Command<'RemoveBusinessHours', { hoursId: string }>;
export type ConfigurePhoneNumber = Command<'ConfigurePhoneNumber', { phoneNumber: PhoneNumberConfig }>;
export type RemovePhoneNumber = Command<'RemovePhoneNumber', { number: string }>;
export type ConfigureSettings = Command<'ConfigureSettings', { settings: ContactCenterSettings }>;

export type ConfigCommand =
  | ConfigureQueue
  | RemoveQueue
  | ConfigureIvrMenu
  | RemoveIvrMenu
  | ConfigureAgentProfile
  | RemoveAgentProfile
  | ConfigureBusinessHours
  | RemoveBusinessHours
  | ConfigurePhoneNumber
  | RemovePhoneNumber
  | ConfigureSettings;

////////////////////////////////////////// Validation

const parse = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> => {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
    throw new ValidationError(`Invalid ${what}: ${issues.join('; ')}`);
  }
  return result.data;
};

const fail = (what: string, problems: string[]): void => {
  if (problems.length > 0) throw new ValidationError(`Invalid ${what}: ${problems.join('; ')}`);
};

const duplicates = (values: readonly string[]): string[] => values.filter((v, i) => values.indexOf(v) !== i);

export const validateQueue = (value: unknown): QueueConfig => {
  const queue = parse(queueConfigSchema, value, 'queue');
  const problems: string[] = [];
  if (queue.overflow.some((tier) => tier.targetQueueId === queue.queueId)) problems.push('overflow: a queue cannot overflow into itself');
  queue.overflow.forEach((tier, i) => {
    if (i > 0 && tier.afterSeconds <= queue.overflow[i - 1].afterSeconds) problems.push('overflow: tiers must have increasing afterSeconds');
  });
  for (const skill of duplicates(queue.requiredSkills.map((s) => s.skill))) problems.push(`requiredSkills: ${skill} appears twice`);
  fail(`queue '${queue.queueId}'`, problems);
  return queue;
};

const actionTargets = (action: IvrAction): string => {
  switch (action.kind) {
    case 'submenu':
      return `submenu ${action.menuId}`;
    case 'queue':
    case 'callback':
      return `${action.kind} ${action.queueId}`;
    case 'voicemail':
      return `voicemail ${action.queueId ?? ''}`.trim();
    case 'hangup':
      return 'hangup';
    default: {
      const _exhaustive: never = action;
      return '';
    }
  }
};

export const validateIvrMenu = (value: unknown): IvrMenuConfig => {
  const menu = parse(ivrMenuConfigSchema, value, 'IVR menu');
  const problems: string[] = [];
  if (Object.keys(menu.prompts).length === 0) problems.push('prompts: at least one language is required');
  for (const digit of duplicates(menu.options.map((o) => o.digit))) problems.push(`options: digit ${digit} is used twice`);
  for (const option of menu.options) {
    if (option.action.kind === 'submenu' && option.action.menuId === menu.menuId) problems.push(`options: digit ${option.digit} leads back to the same menu (${actionTargets(option.action)})`);
  }
  if (menu.defaultAction.kind === 'submenu' && menu.defaultAction.menuId === menu.menuId) problems.push('defaultAction: cannot be the same menu');
  fail(`IVR menu '${menu.menuId}'`, problems);
  return menu;
};

export const validateAgentProfile = (value: unknown): AgentProfile => {
  const agent = parse(agentProfileSchema, value, 'agent profile');
  const problems: string[] = [];
  for (const skill of duplicates(agent.skills.map((s) => s.skill))) problems.push(`skills: ${skill} appears twice`);
  for (const lang of duplicates(agent.languages)) problems.push(`languages: ${lang} appears twice`);
  fail(`agent '${agent.agentId}'`, problems);
  return agent;
};

export const validateBusinessHours = (value: unknown): BusinessHoursConfig => {
  const hours = parse(businessHoursConfigSchema, value, 'business hours');
  const problems: string[] = [];
  if (!isValidTimeZone(hours.timezone)) problems.push(`timezone: '${hours.timezone}' is not an IANA time zone`);
  hours.weekly.forEach((range, i) => {
    if (minutesOf(range.open) >= minutesOf(range.close)) problems.push(`weekly.${i}: open ${range.open} must be before close ${range.close}`);
  });
  for (const holiday of hours.holidays) {
    if (Number.isNaN(Date.parse(`${holiday.date}T00:00:00Z`))) problems.push(`holidays: ${holiday.date} is not a date`);
  }
  if (Object.keys(hours.afterHours.message).length === 0) problems.push('afterHours.message: at least one language is required');
  fail(`business hours '${hours.hoursId}'`, problems);
  return hours;
};

export const validatePhoneNumber = (value: unknown): PhoneNumberConfig => parse(phoneNumberConfigSchema, value, 'phone number');

export const validateSettings = (value: unknown): ContactCenterSettings => {
  const settings = parse(contactCenterSettingsSchema, value, 'settings');
  const problems: string[] = [];
  if (!settings.languages[settings.defaultLanguage]) problems.push(`languages: the default language '${settings.defaultLanguage}' has no settings`);
  if (settings.queuedCallerDigits.callback === settings.queuedCallerDigits.voicemail) problems.push('queuedCallerDigits: callback and voicemail need different digits');
  fail('settings', problems);
  return settings;
};

/** Cross-references between configured entities; an empty list means the configuration is usable. */
export const validateContactCenterConfig = (config: ContactCenterConfig): string[] => {
  const problems: string[] = [];
  const hasQueue = (queueId: string) => config.queues[queueId] !== undefined;
  const settings = config.settings;
  if (!settings) problems.push('settings are not configured');
  for (const queue of Object.values(config.queues)) {
    for (const tier of queue.overflow) if (!hasQueue(tier.targetQueueId)) problems.push(`queue ${queue.queueId}: overflow target ${tier.targetQueueId} does not exist`);
  }
  const checkAction = (where: string, action: IvrAction) => {
    if (action.kind === 'submenu' && !config.ivrMenus[action.menuId]) problems.push(`${where}: menu ${action.menuId} does not exist`);
    if ((action.kind === 'queue' || action.kind === 'callback') && !hasQueue(action.queueId)) problems.push(`${where}: queue ${action.queueId} does not exist`);
    if (action.kind === 'voicemail' && action.queueId !== undefined && !hasQueue(action.queueId)) problems.push(`${where}: queue ${action.queueId} does not exist`);
  };
  for (const menu of Object.values(config.ivrMenus)) {
    for (const option of menu.options) checkAction(`IVR menu ${menu.menuId} digit ${option.digit}`, option.action);
    checkAction(`IVR menu ${menu.menuId} default action`, menu.defaultAction);
    if (settings && !menu.prompts[settings.defaultLanguage]) problems.push(`IVR menu ${menu.menuId}: no prompts in the default language ${settings.defaultLanguage}`);
  }
  for (const agent of Object.values(config.agents)) {
    if (agent.outboundQueueId !== undefined && !hasQueue(agent.outboundQueueId)) problems.push(`agent ${agent.agentId}: outbound queue ${agent.outboundQueueId} does not exist`);
  }
  for (const hours of Object.values(config.hours)) {
    if (hours.afterHours.voicemailQueueId !== undefined && !hasQueue(hours.afterHours.voicemailQueueId)) problems.push(`hours ${hours.hoursId}: voicemail queue ${hours.afterHours.voicemailQueueId} does not exist`);
    if (settings && !hours.afterHours.message[settings.defaultLanguage]) problems.push(`hours ${hours.hoursId}: no after-hours message in the default language`);
  }
  for (const number of Object.values(config.numbers)) {
    if (!config.ivrMenus[number.entryMenuId]) problems.push(`number ${number.number}: entry menu ${number.entryMenuId} does not exist`);
    if (!config.hours[number.hoursId]) problems.push(`number ${number.number}: hours ${number.hoursId} do not exist`);
  }
  if (Object.keys(config.numbers).length === 0) problems.push('no phone number is configured');
  if (settings && !hasQueue(settings.defaultOutboundQueueId)) problems.push(`settings: default outbound queue ${settings.defaultOutboundQueueId} does not exist`);
  return problems;
};

////////////////////////////////////////// Decider: one for every config stream; each stream only holds its own entity's events

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );

const sameAs = (current: unknown, next: unknown): boolean => current !== undefined && canonical(current) === canonical(next);

export const decideConfiguration = (command: ConfigCommand, state: ContactCenterConfig): ConfigEvent[] => {
  const occurredAt = command.metadata.now;
  switch (command.type) {
    case 'ConfigureQueue': {
      const queue = validateQueue(command.data.queue);
      return sameAs(state.queues[queue.queueId], queue) ? [] : [{ type: 'QueueConfigured', data: { ...queue, occurredAt } }];
    }
    case 'RemoveQueue':
      return state.queues[command.data.queueId] ? [{ type: 'QueueRemoved', data: { queueId: command.data.queueId, occurredAt } }] : [];
    case 'ConfigureIvrMenu': {
      const menu = validateIvrMenu(command.data.menu);
      return sameAs(state.ivrMenus[menu.menuId], menu) ? [] : [{ type: 'IvrMenuConfigured', data: { ...menu, occurredAt } }];
    }
    case 'RemoveIvrMenu':
      return state.ivrMenus[command.data.menuId] ? [{ type: 'IvrMenuRemoved', data: { menuId: command.data.menuId, occurredAt } }] : [];
    case 'ConfigureAgentProfile': {
      const agent = validateAgentProfile(command.data.agent);
      return sameAs(state.agents[agent.agentId], agent) ? [] : [{ type: 'AgentProfileConfigured', data: { ...agent, occurredAt } }];
    }
    case 'RemoveAgentProfile':
      return state.agents[command.data.agentId] ? [{ type: 'AgentProfileRemoved', data: { agentId: command.data.agentId, occurredAt } }] : [];
    case 'ConfigureBusinessHours': {
      const hours = validateBusinessHours(command.data.hours);
      return sameAs(state.hours[hours.hoursId], hours) ? [] : [{ type: 'BusinessHoursConfigured', data: { ...hours, occurredAt } }];
    }
    case 'RemoveBusinessHours':
      return state.hours[command.data.hoursId] ? [{ type: 'BusinessHoursRemoved', data: { hoursId: command.data.hoursId, occurredAt } }] : [];
    case 'ConfigurePhoneNumber': {
      const phoneNumber = validatePhoneNumber(command.data.phoneNumber);
      return sameAs(state.numbers[phoneNumber.number], phoneNumber) ? [] : [{ type: 'PhoneNumberConfigured', data: { ...phoneNumber, occurredAt } }];
    }
    case 'RemovePhoneNumber':
      return state.numbers[command.data.number] ? [{ type: 'PhoneNumberRemoved', data: { number: command.data.number, occurredAt } }] : [];
    case 'ConfigureSettings': {
      const settings = validateSettings(command.data.settings);
      return sameAs(state.settings ?? undefined, settings) ? [] : [{ type: 'ContactCenterSettingsConfigured', data: { ...settings, occurredAt } }];
    }
    default: {
      const _exhaustive: never = command;
      return [];
    }
  }
};

export const configurationDecider: Decider<ContactCenterConfig, ConfigCommand, ConfigEvent> = {
  decide: decideConfiguration,
  evolve: evolveConfiguration,
  initialState: emptyConfiguration,
};

/** The stream a configuration command is appended to. */
export const configStreamFor = (command: ConfigCommand): string => {
  switch (command.type) {
    case 'ConfigureQueue':
      return configStreams.queue(command.data.queue.queueId);
    case 'RemoveQueue':
      return configStreams.queue(command.data.queueId);
    case 'ConfigureIvrMenu':
      return configStreams.ivr(command.data.menu.menuId);
    case 'RemoveIvrMenu':
      return configStreams.ivr(command.data.menuId);
    case 'ConfigureAgentProfile':
      return configStreams.agent(command.data.agent.agentId);
    case 'RemoveAgentProfile':
      return configStreams.agent(command.data.agentId);
    case 'ConfigureBusinessHours':
      return configStreams.hours(command.data.hours.hoursId);
    case 'RemoveBusinessHours':
      return configStreams.hours(command.data.hoursId);
    case 'ConfigurePhoneNumber':
    case 'RemovePhoneNumber':
      return configStreams.numbers();
    case 'ConfigureSettings':
      return configStreams.settings();
    default: {
      const _exhaustive: never = command;
      return '';
    }
  }
};
