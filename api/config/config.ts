import { z } from 'zod';
import { TTS_LANGUAGES } from './languages';

////////////////////////////////////////// Shapes (validated with zod; the types are inferred from them)

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'ids are 1-64 characters: letters, digits, _ . -');
const language = z.string().regex(/^[a-z]{2}$/, 'languages are ISO 639-1 codes such as en, es');
const e164 = z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'phone numbers are E.164, e.g. +15551230000');
const url = z.url();
const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

export const skillRequirementSchema = z.object({ skill: id, minLevel: z.number().int().min(1).max(10) }).strict();
export const agentSkillSchema = z.object({ skill: id, level: z.number().int().min(1).max(10) }).strict();

export const callAttributesSchema = z
  .object({
    language: language.optional(),
    department: id.optional(),
    skills: z.array(skillRequirementSchema).optional(),
    priority: z.number().int().min(0).max(100).optional(),
  })
  .strict();

export const routingStrategySchema = z.enum(['longest-idle', 'ring-all', 'round-robin']);
export const recordPolicySchema = z.enum(['always', 'on-demand', 'never']);

export const queueConfigSchema = z
  .object({
    queueId: id,
    name: z.string().min(1).max(100),
    requiredSkills: z.array(skillRequirementSchema),
    language: language.optional(),
    department: id.optional(),
    strategy: routingStrategySchema,
    ringTimeoutSeconds: seconds(5, 120),
    maxWaitSeconds: seconds(30, 14_400),
    overflow: z.array(z.object({ afterSeconds: seconds(5, 14_400), targetQueueId: id }).strict()),
    holdMusicUrl: url,
    announcementIntervalSeconds: seconds(0, 3_600),
    priority: z.number().int().min(0).max(100),
    serviceLevelThresholdSeconds: seconds(1, 3_600),
    voicemailOnMaxWait: z.boolean(),
    callerIdNumber: e164,
    recordPolicy: recordPolicySchema,
    reofferDelaySeconds: seconds(0, 3_600),
    keepOriginalEnqueueTime: z.boolean(),
  })
  .strict();

const attributesOnAction = { setAttributes: callAttributesSchema.optional() };
export const ivrActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('submenu'), menuId: id, ...attributesOnAction }).strict(),
  z.object({ kind: z.literal('queue'), queueId: id, ...attributesOnAction }).strict(),
  z.object({ kind: z.literal('voicemail'), queueId: id.optional(), ...attributesOnAction }).strict(),
  z.object({ kind: z.literal('callback'), queueId: id, ...attributesOnAction }).strict(),
  z.object({ kind: z.literal('hangup'), ...attributesOnAction }).strict(),
]);

export const ivrPromptsSchema = z
  .object({
    /** Spoken once, before the menu, on the first presentation only. */
    greeting: z.string().max(1000).optional(),
    menu: z.string().min(1).max(2000),
    invalid: z.string().min(1).max(500),
    timeout: z.string().min(1).max(500),
  })
  .strict();

export const ivrMenuConfigSchema = z
  .object({
    menuId: id,
    name: z.string().min(1).max(100),
    prompts: z.record(language, ivrPromptsSchema),
    options: z.array(z.object({ digit: z.string().regex(/^[0-9*#]$/, 'a digit is one of 0-9 * #'), label: z.string().min(1).max(100), action: ivrActionSchema }).strict()),
    timeoutSeconds: seconds(1, 60),
    maxRetries: z.number().int().min(0).max(5),
    defaultAction: ivrActionSchema,
  })
  .strict();

export const agentProfileSchema = z
  .object({
    agentId: id,
    name: z.string().min(1).max(100),
    skills: z.array(agentSkillSchema),
    languages: z.array(language).min(1),
    departments: z.array(id),
    maxNoAnswer: z.number().int().min(1).max(20),
    wrapUpSeconds: seconds(0, 3_600),
    mayCallOut: z.boolean(),
    outboundQueueId: id.optional(),
    supervisor: z.boolean(),
  })
  .strict();

const hhmm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/, 'times are HH:MM (24:00 allowed as a closing time)');
export const weekdaySchema = z.enum(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']);

export const businessHoursConfigSchema = z
  .object({
    hoursId: id,
    name: z.string().min(1).max(100),
    timezone: z.string().min(1),
    weekly: z.array(z.object({ day: weekdaySchema, open: hhmm, close: hhmm }).strict()),
    holidays: z.array(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are YYYY-MM-DD'), name: z.string().min(1).max(100) }).strict()),
    afterHours: z.object({ message: z.record(language, z.string().min(1).max(1000)), voicemail: z.boolean(), voicemailQueueId: id.optional() }).strict(),
  })
  .strict();

export const phoneNumberConfigSchema = z
  .object({
    /** E.164, or '*' for every number not configured explicitly. */
    number: z.union([e164, z.literal('*')]),
    entryMenuId: id,
    hoursId: id,
  })
  .strict();

const languageSettingsSchema = z
  .object({
    ttsLanguage: z.enum(TTS_LANGUAGES),
    voice: z.string().min(1).max(100),
    prompts: z
      .object({
        queueWelcome: z.string().min(1),
        /** `{position}` and `{minutes}` are replaced. */
        queuePosition: z.string().min(1),
        callbackConfirmed: z.string().min(1),
        voicemailPrompt: z.string().min(1),
        voicemailThanks: z.string().min(1),
        maxWaitReached: z.string().min(1),
        outboundRefused: z.string().min(1),
        transferring: z.string().min(1),
        goodbye: z.string().min(1),
      })
      .strict(),
  })
  .strict();

export const contactCenterSettingsSchema = z
  .object({
    defaultLanguage: language,
    languages: z.record(language, languageSettingsSchema),
    queuedCallerDigits: z.object({ callback: z.string().regex(/^[0-9*#]$/), voicemail: z.string().regex(/^[0-9*#]$/) }).strict(),
    voicemail: z.object({ maxLengthSeconds: seconds(10, 600), silenceTimeoutSeconds: seconds(1, 60), format: z.enum(['mp3', 'wav']) }).strict(),
    recording: z.object({ format: z.enum(['mp3', 'wav']), channels: z.enum(['single', 'dual']), playBeep: z.boolean() }).strict(),
    defaultOutboundQueueId: id,
    agentSipDomain: z.string().min(1),
    reservationGraceSeconds: seconds(1, 120),
    callbackRingTimeoutSeconds: seconds(5, 120),
  })
  .strict();

export type SkillRequirement = z.infer<typeof skillRequirementSchema>;
export type AgentSkill = z.infer<typeof agentSkillSchema>;
export type CallAttributes = z.infer<typeof callAttributesSchema>;
export type RoutingStrategy = z.infer<typeof routingStrategySchema>;
export type RecordPolicy = z.infer<typeof recordPolicySchema>;
export type QueueConfig = z.infer<typeof queueConfigSchema>;
export type IvrAction = z.infer<typeof ivrActionSchema>;
export type IvrPrompts = z.infer<typeof ivrPromptsSchema>;
export type IvrMenuConfig = z.infer<typeof ivrMenuConfigSchema>;
export type IvrOption = IvrMenuConfig['options'][number];
export type AgentProfile = z.infer<typeof agentProfileSchema>;
export type Weekday = z.infer<typeof weekdaySchema>;
export type BusinessHoursConfig = z.infer<typeof businessHoursConfigSchema>;
export type PhoneNumberConfig = z.infer<typeof phoneNumberConfigSchema>;
export type ContactCenterSettings = z.infer<typeof contactCenterSettingsSchema>;
export type LanguageSettings = ContactCenterSettings['languages'][string];

////////////////////////////////////////// Streams

export const configStreams = {
  queue: (queueId: string) => `config-queue-${queueId}`,
  ivr: (menuId: string) => `config-ivr-${menuId}`,
  agent: (agentId: string) => `config-agent-${agentId}`,
  hours: (hoursId: string) => `config-hours-${hoursId}`,
  numbers: () => 'config-numbers',
  settings: () => 'config-settings',
} as const;

export const CONFIG_STREAM_PREFIX = 'config-';

////////////////////////////////////////// Events

type At = { occurredAt: string };

export type QueueConfigured = { type: 'QueueConfigured'; data: QueueConfig & At };
export type QueueRemoved = { type: 'QueueRemoved'; data: { queueId: string } & At };
export type IvrMenuConfigured = { type: 'IvrMenuConfigured'; data: IvrMenuConfig & At };
export type IvrMenuRemoved = { type: 'IvrMenuRemoved'; data: { menuId: string } & At };
export type AgentProfileConfigured = { type: 'AgentProfileConfigured'; data: AgentProfile & At };
export type AgentProfileRemoved = { type: 'AgentProfileRemoved'; data: { agentId: string } & At };
export type BusinessHoursConfigured = { type: 'BusinessHoursConfigured'; data: BusinessHoursConfig & At };
export type BusinessHoursRemoved = { type: 'BusinessHoursRemoved'; data: { hoursId: string } & At };
export type PhoneNumberConfigured = { type: 'PhoneNumberConfigured'; data: PhoneNumberConfig & At };
export type PhoneNumberRemoved = { type: 'PhoneNumberRemoved'; data: { number: string } & At };
export type ContactCenterSettingsConfigured = { type: 'ContactCenterSettingsConfigured'; data: ContactCenterSettings & At };

export type ConfigEvent =
  | QueueConfigured
  | QueueRemoved
  | IvrMenuConfigured
  | IvrMenuRemoved
  | AgentProfileConfigured
  | AgentProfileRemoved
  | BusinessHoursConfigured
  | BusinessHoursRemoved
  | PhoneNumberConfigured
  | PhoneNumberRemoved
  | ContactCenterSettingsConfigured;

export const CONFIG_EVENT_TYPES: ReadonlyArray<ConfigEvent['type']> = [
  'QueueConfigured',
  'QueueRemoved',
  'IvrMenuConfigured',
  'IvrMenuRemoved',
  'AgentProfileConfigured',
  'AgentProfileRemoved',
  'BusinessHoursConfigured',
  'BusinessHoursRemoved',
  'PhoneNumberConfigured',
  'PhoneNumberRemoved',
  'ContactCenterSettingsConfigured',
];

export const isConfigEvent = (event: { type: string }): event is ConfigEvent => (CONFIG_EVENT_TYPES as readonly string[]).includes(event.type);

////////////////////////////////////////// The whole configuration, folded from every config stream

export interface ContactCenterConfig {
  queues: Record<string, QueueConfig>;
  ivrMenus: Record<string, IvrMenuConfig>;
  agents: Record<string, AgentProfile>;
  hours: Record<string, BusinessHoursConfig>;
  numbers: Record<string, PhoneNumberConfig>;
  settings: ContactCenterSettings | null;
}

export const emptyConfiguration = (): ContactCenterConfig => ({ queues: {}, ivrMenus: {}, agents: {}, hours: {}, numbers: {}, settings: null });

const withoutOccurredAt = <T extends At>(data: T): Omit<T, 'occurredAt'> => {
  const { occurredAt: _occurredAt, ...rest } = data;
  return rest;
};

const without = <V>(record: Record<string, V>, key: string): Record<string, V> => {
  const { [key]: _removed, ...rest } = record;
  return rest;
};

export const evolveConfiguration = (config: ContactCenterConfig, event: ConfigEvent): ContactCenterConfig => {
  switch (event.type) {
    case 'QueueConfigured':
      return { ...config, queues: { ...config.queues, [event.data.queueId]: withoutOccurredAt(event.data) } };
    case 'QueueRemoved':
      return { ...config, queues: without(config.queues, event.data.queueId) };
    case 'IvrMenuConfigured':
      return { ...config, ivrMenus: { ...config.ivrMenus, [event.data.menuId]: withoutOccurredAt(event.data) } };
    case 'IvrMenuRemoved':
      return { ...config, ivrMenus: without(config.ivrMenus, event.data.menuId) };
    case 'AgentProfileConfigured':
      return { ...config, agents: { ...config.agents, [event.data.agentId]: withoutOccurredAt(event.data) } };
    case 'AgentProfileRemoved':
      return { ...config, agents: without(config.agents, event.data.agentId) };
    case 'BusinessHoursConfigured':
      return { ...config, hours: { ...config.hours, [event.data.hoursId]: withoutOccurredAt(event.data) } };
    case 'BusinessHoursRemoved':
      return { ...config, hours: without(config.hours, event.data.hoursId) };
    case 'PhoneNumberConfigured':
      return { ...config, numbers: { ...config.numbers, [event.data.number]: withoutOccurredAt(event.data) } };
    case 'PhoneNumberRemoved':
      return { ...config, numbers: without(config.numbers, event.data.number) };
    case 'ContactCenterSettingsConfigured':
      return { ...config, settings: withoutOccurredAt(event.data) };
    default: {
      const _exhaustive: never = event;
      return config;
    }
  }
};

/** The number configuration for a dialled number: its own, else the '*' catch-all. */
export const numberConfigFor = (config: ContactCenterConfig, dialled: string): PhoneNumberConfig | undefined => config.numbers[dialled] ?? config.numbers['*'];

export const languageSettingsFor = (settings: ContactCenterSettings, lang: string | undefined): LanguageSettings =>
  settings.languages[lang ?? settings.defaultLanguage] ?? settings.languages[settings.defaultLanguage];
