import type { CommandMetadata } from '../core/decider';
import {
  emptyConfiguration,
  evolveConfiguration,
  type AgentProfile,
  type BusinessHoursConfig,
  type ConfigEvent,
  type ContactCenterConfig,
  type ContactCenterSettings,
  type IvrMenuConfig,
  type PhoneNumberConfig,
  type QueueConfig,
} from './config';
import { configStreamFor, decideConfiguration, type ConfigCommand } from './configDecider';

const HOLD_MUSIC = 'https://callstream.example.com/audio/hold-music.mp3';

const queues: QueueConfig[] = [
  {
    queueId: 'sales',
    name: 'Sales',
    requiredSkills: [{ skill: 'sales', minLevel: 1 }],
    department: 'sales',
    strategy: 'longest-idle',
    ringTimeoutSeconds: 20,
    maxWaitSeconds: 600,
    overflow: [],
    holdMusicUrl: HOLD_MUSIC,
    announcementIntervalSeconds: 30,
    priority: 10,
    serviceLevelThresholdSeconds: 20,
    voicemailOnMaxWait: true,
    callerIdNumber: '+15550100010',
    recordPolicy: 'always',
    reofferDelaySeconds: 15,
    keepOriginalEnqueueTime: true,
  },
  {
    queueId: 'support',
    name: 'Technical support',
    requiredSkills: [{ skill: 'technical', minLevel: 1 }],
    department: 'support',
    strategy: 'round-robin',
    ringTimeoutSeconds: 20,
    maxWaitSeconds: 900,
    overflow: [],
    holdMusicUrl: HOLD_MUSIC,
    announcementIntervalSeconds: 45,
    priority: 0,
    serviceLevelThresholdSeconds: 30,
    voicemailOnMaxWait: true,
    callerIdNumber: '+15550100020',
    recordPolicy: 'always',
    reofferDelaySeconds: 15,
    keepOriginalEnqueueTime: true,
  },
  {
    queueId: 'billing',
    name: 'Billing',
    requiredSkills: [{ skill: 'billing', minLevel: 2 }],
    department: 'billing',
    strategy: 'ring-all',
    ringTimeoutSeconds: 25,
    maxWaitSeconds: 600,
    overflow: [{ afterSeconds: 180, targetQueueId: 'support' }],
    holdMusicUrl: HOLD_MUSIC,
    announcementIntervalSeconds: 30,
    priority: 5,
    serviceLevelThresholdSeconds: 20,
    voicemailOnMaxWait: false,
    callerIdNumber: '+15550100030',
    recordPolicy: 'on-demand',
    reofferDelaySeconds: 10,
    keepOriginalEnqueueTime: true,
  },
];

const ivrMenus: IvrMenuConfig[] = [
  {
    menuId: 'welcome',
    name: 'Language selection',
    prompts: {
      en: {
        greeting: 'Thank you for calling Callstream.',
        menu: 'For English, press 1. Para español, oprima 2.',
        invalid: 'Sorry, that is not a valid choice.',
        timeout: 'We did not receive your choice.',
      },
      es: {
        greeting: 'Gracias por llamar a Callstream.',
        menu: 'For English, press 1. Para español, oprima 2.',
        invalid: 'Lo sentimos, esa opción no es válida.',
        timeout: 'No recibimos su selección.',
      },
    },
    options: [
      { digit: '1', label: 'English', action: { kind: 'submenu', menuId: 'main', setAttributes: { language: 'en' } } },
      { digit: '2', label: 'Español', action: { kind: 'submenu', menuId: 'main', setAttributes: { language: 'es' } } },
    ],
    timeoutSeconds: 5,
    maxRetries: 1,
    defaultAction: { kind: 'submenu', menuId: 'main', setAttributes: { language: 'en' } },
  },
  {
    menuId: 'main',
    name: 'Main menu',
    prompts: {
      en: {
        menu: 'For sales, press 1. For support, press 2. To be called back, press 3. To leave a voicemail, press 9.',
        invalid: 'Sorry, that is not a valid choice.',
        timeout: 'We did not receive your choice.',
      },
      es: {
        menu: 'Para ventas, oprima 1. Para soporte, oprima 2. Para que le devolvamos la llamada, oprima 3. Para dejar un mensaje de voz, oprima 9.',
        invalid: 'Lo sentimos, esa opción no es válida.',
        timeout: 'No recibimos su selección.',
      },
    },
    options: [
      { digit: '1', label: 'Sales', action: { kind: 'queue', queueId: 'sales', setAttributes: { department: 'sales' } } },
      { digit: '2', label: 'Support', action: { kind: 'submenu', menuId: 'support', setAttributes: { department: 'support' } } },
      { digit: '3', label: 'Call back', action: { kind: 'callback', queueId: 'support' } },
      { digit: '9', label: 'Voicemail', action: { kind: 'voicemail', queueId: 'support' } },
    ],
    timeoutSeconds: 6,
    maxRetries: 2,
    defaultAction: { kind: 'queue', queueId: 'support' },
  },
  {
    menuId: 'support',
    name: 'Support menu',
    prompts: {
      en: {
        menu: 'For billing, press 1. For technical support, press 2. To go back, press 0.',
        invalid: 'Sorry, that is not a valid choice.',
        timeout: 'We did not receive your choice.',
      },
      es: {
        menu: 'Para facturación, oprima 1. Para soporte técnico, oprima 2. Para volver, oprima 0.',
        invalid: 'Lo sentimos, esa opción no es válida.',
        timeout: 'No recibimos su selección.',
      },
    },
    options: [
      { digit: '1', label: 'Billing', action: { kind: 'queue', queueId: 'billing', setAttributes: { department: 'billing' } } },
      { digit: '2', label: 'Technical', action: { kind: 'queue', queueId: 'support', setAttributes: { skills: [{ skill: 'technical', minLevel: 3 }] } } },
      { digit: '0', label: 'Main menu', action: { kind: 'submenu', menuId: 'main' } },
    ],
    timeoutSeconds: 6,
    maxRetries: 2,
    defaultAction: { kind: 'queue', queueId: 'support' },
  },
];

const agent = (a: Omit<AgentProfile, 'maxNoAnswer' | 'wrapUpSeconds' | 'mayCallOut' | 'supervisor'> & Partial<AgentProfile>): AgentProfile => ({
  maxNoAnswer: 3,
  wrapUpSeconds: 15,
  mayCallOut: true,
  supervisor: false,
  ...a,
});

const agents: AgentProfile[] = [
  agent({ agentId: 'alice', name: 'Alice Moreau', skills: [{ skill: 'sales', level: 8 }, { skill: 'technical', level: 3 }], languages: ['en'], departments: ['sales', 'support'], outboundQueueId: 'sales' }),
  agent({ agentId: 'bob', name: 'Bob Okafor', skills: [{ skill: 'technical', level: 9 }, { skill: 'billing', level: 4 }], languages: ['en', 'es'], departments: ['support', 'billing'], outboundQueueId: 'support' }),
  agent({ agentId: 'carla', name: 'Carla Ruiz', skills: [{ skill: 'billing', level: 7 }, { skill: 'sales', level: 5 }], languages: ['es', 'en'], departments: ['billing', 'sales'], wrapUpSeconds: 20 }),
  agent({ agentId: 'dmitri', name: 'Dmitri Volkov', skills: [{ skill: 'technical', level: 6 }], languages: ['en'], departments: ['support'], mayCallOut: false }),
  agent({ agentId: 'erin', name: 'Erin Walsh', skills: [{ skill: 'sales', level: 5 }, { skill: 'billing', level: 6 }, { skill: 'technical', level: 4 }], languages: ['en', 'es'], departments: ['sales', 'support', 'billing'], maxNoAnswer: 2 }),
  agent({ agentId: 'sam', name: 'Sam Lee', skills: [{ skill: 'sales', level: 6 }, { skill: 'technical', level: 6 }, { skill: 'billing', level: 6 }], languages: ['en'], departments: ['sales', 'support', 'billing'], supervisor: true, wrapUpSeconds: 0 }),
];

const everyDay = (['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const).map((day) => ({ day, open: '00:00', close: '24:00' }));

const hours: BusinessHoursConfig[] = [
  {
    hoursId: 'always-open',
    name: 'Open 24/7',
    timezone: 'UTC',
    weekly: everyDay,
    holidays: [],
    afterHours: { message: { en: 'We are closed.', es: 'Estamos cerrados.' }, voicemail: true, voicemailQueueId: 'support' },
  },
  {
    hoursId: 'office',
    name: 'Office hours (New York)',
    timezone: 'America/New_York',
    weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, open: '09:00', close: '17:00' })),
    holidays: [
      { date: '2026-01-01', name: "New Year's Day" },
      { date: '2026-07-03', name: 'Independence Day (observed)' },
      { date: '2026-12-25', name: 'Christmas Day' },
    ],
    afterHours: {
      message: {
        en: 'Thank you for calling. Our office is open Monday to Friday from 9 a.m. to 5 p.m. Eastern time.',
        es: 'Gracias por llamar. Nuestra oficina abre de lunes a viernes de 9 a 17 horas, hora del este.',
      },
      voicemail: true,
      voicemailQueueId: 'support',
    },
  },
];

const numbers: PhoneNumberConfig[] = [{ number: '*', entryMenuId: 'welcome', hoursId: 'always-open' }];

const settings: ContactCenterSettings = {
  defaultLanguage: 'en',
  languages: {
    en: {
      ttsLanguage: 'en-US',
      voice: 'female',
      prompts: {
        queueWelcome: 'Please hold. The next available agent will be with you shortly. Press star at any time to be called back instead.',
        queuePosition: 'You are number {position} in line. Your estimated wait is about {minutes} minutes.',
        callbackConfirmed: 'Thank you. We will call you back at this number as soon as an agent is available, and you keep your place in line. Goodbye.',
        voicemailPrompt: 'Please leave your message after the tone, then hang up.',
        voicemailThanks: 'Thank you, your message has been recorded. Goodbye.',
        maxWaitReached: 'We are sorry, all of our agents are still busy.',
        outboundRefused: 'You are not allowed to place outbound calls.',
        transferring: 'Please hold while we transfer your call.',
        goodbye: 'Thank you for calling. Goodbye.',
      },
    },
    es: {
      ttsLanguage: 'es-US',
      voice: 'female',
      prompts: {
        queueWelcome: 'Por favor espere. El próximo agente disponible le atenderá en breve. Oprima asterisco en cualquier momento para que le devolvamos la llamada.',
        queuePosition: 'Usted es el número {position} en la fila. El tiempo de espera estimado es de unos {minutes} minutos.',
        callbackConfirmed: 'Gracias. Le devolveremos la llamada a este número en cuanto un agente esté disponible, y conserva su lugar en la fila. Adiós.',
        voicemailPrompt: 'Por favor deje su mensaje después del tono y luego cuelgue.',
        voicemailThanks: 'Gracias, su mensaje ha sido grabado. Adiós.',
        maxWaitReached: 'Lo sentimos, todos nuestros agentes siguen ocupados.',
        outboundRefused: 'No tiene permiso para hacer llamadas salientes.',
        transferring: 'Por favor espere mientras transferimos su llamada.',
        goodbye: 'Gracias por llamar. Adiós.',
      },
    },
  },
  queuedCallerDigits: { callback: '*', voicemail: '#' },
  voicemail: { maxLengthSeconds: 120, silenceTimeoutSeconds: 5, format: 'mp3' },
  recording: { format: 'mp3', channels: 'dual', playBeep: false },
  defaultOutboundQueueId: 'support',
  agentSipDomain: 'sip.telnyx.com',
  reservationGraceSeconds: 10,
  callbackRingTimeoutSeconds: 30,
};

/** The commands that configure the demo contact center; appending their events to empty config streams is idempotent. */
export const defaultConfigurationCommands = (metadata: CommandMetadata): ConfigCommand[] => [
  { type: 'ConfigureSettings', data: { settings }, metadata },
  ...queues.map((queue): ConfigCommand => ({ type: 'ConfigureQueue', data: { queue }, metadata })),
  ...ivrMenus.map((menu): ConfigCommand => ({ type: 'ConfigureIvrMenu', data: { menu }, metadata })),
  ...agents.map((a): ConfigCommand => ({ type: 'ConfigureAgentProfile', data: { agent: a }, metadata })),
  ...hours.map((h): ConfigCommand => ({ type: 'ConfigureBusinessHours', data: { hours: h }, metadata })),
  ...numbers.map((phoneNumber): ConfigCommand => ({ type: 'ConfigurePhoneNumber', data: { phoneNumber }, metadata })),
];

/** The seed as the events each config stream receives (streams in the order they should be written). */
export const defaultConfigurationEvents = (now: string): Array<{ streamId: string; events: ConfigEvent[] }> => {
  const byStream = new Map<string, ConfigEvent[]>();
  for (const command of defaultConfigurationCommands({ now, commandId: 'seed-default-configuration', actor: 'system' })) {
    const streamId = configStreamFor(command);
    const events = decideConfiguration(command, emptyConfiguration());
    byStream.set(streamId, [...(byStream.get(streamId) ?? []), ...events]);
  }
  return [...byStream].map(([streamId, events]) => ({ streamId, events }));
};

/** The demo configuration, folded: a bilingual IVR, three queues with different strategies, six agents, open 24/7. */
export const defaultConfiguration = (now = '2026-01-01T00:00:00.000Z'): ContactCenterConfig =>
  defaultConfigurationEvents(now)
    .flatMap((s) => s.events)
    .reduce(evolveConfiguration, emptyConfiguration());
