import type { AgentSkill, ConfigEvent, SkillRequirement } from '../../api/config/config';
import { requirementGaps, type RoutingAgent } from '../../api/routing/router';
import type { ReadModelDocument } from '../infrastructure/readModels/readModelStore';

/**
 * The part of the configuration the read models need, folded from the config streams and kept by each
 * projection in its own private document (projections never read each other's documents).
 */
export interface QueueSettings {
  queueId: string;
  name: string;
  strategy: string;
  priority: number;
  serviceLevelThresholdSeconds: number;
  requiredSkills: SkillRequirement[];
  language: string | null;
  department: string | null;
}

export interface AgentProfileSummary {
  agentId: string;
  name: string;
  supervisor: boolean;
  skills: AgentSkill[];
  languages: string[];
  departments: string[];
  wrapUpSeconds: number;
}

export interface CenterConfig {
  queues: Record<string, QueueSettings>;
  agents: Record<string, AgentProfileSummary>;
  /** Phone number (or '*') → business hours id. */
  numberHours: Record<string, string>;
  /** Business hours id → IANA time zone. */
  hoursTimezones: Record<string, string>;
  /** Derived: the center's time zone (see `centerTimezoneOf`). */
  timezone: string;
  /** Derived: queue id → agents whose profile meets the queue's own requirements. */
  serving: Record<string, string[]>;
  /** Derived: agent id → queues the agent serves. */
  servedBy: Record<string, string[]>;
}

export interface CenterConfigDoc extends ReadModelDocument, CenterConfig {}

export const CENTER_CONFIG_ID = 'center';

export const emptyCenterConfig = (): CenterConfig => ({ queues: {}, agents: {}, numberHours: {}, hoursTimezones: {}, timezone: 'UTC', serving: {}, servedBy: {} });

/**
 * The center's time zone, which sets day boundaries: the zone of the business hours of the catch-all
 * number '*', else of the first configured number (in number order), else UTC.
 */
export const centerTimezoneOf = (config: Pick<CenterConfig, 'numberHours' | 'hoursTimezones'>): string => {
  const numbers = Object.keys(config.numberHours).sort();
  const number = config.numberHours['*'] !== undefined ? '*' : numbers[0];
  const hoursId = number !== undefined ? config.numberHours[number] : undefined;
  return (hoursId !== undefined ? config.hoursTimezones[hoursId] : undefined) ?? 'UTC';
};

/** The router's own matching rule, with no IVR attributes: skills at their levels, the queue's language and department. */
export const agentServesQueue = (agent: AgentProfileSummary, queue: QueueSettings): boolean => {
  const routingAgent: RoutingAgent = {
    agentId: agent.agentId,
    status: 'Available',
    breakReason: null,
    activity: 'Idle',
    skills: agent.skills,
    languages: agent.languages,
    departments: agent.departments,
    idleSince: null,
    registered: true,
    sipUsername: null,
  };
  return requirementGaps(routingAgent, { skills: queue.requiredSkills, language: queue.language, department: queue.department }).length === 0;
};

const withDerived = (config: CenterConfig): CenterConfig => {
  const serving: Record<string, string[]> = {};
  const servedBy: Record<string, string[]> = {};
  const agentIds = Object.keys(config.agents).sort();
  for (const queueId of Object.keys(config.queues).sort()) {
    serving[queueId] = agentIds.filter((agentId) => agentServesQueue(config.agents[agentId], config.queues[queueId]));
    for (const agentId of serving[queueId]) (servedBy[agentId] ??= []).push(queueId);
  }
  return { ...config, timezone: centerTimezoneOf(config), serving, servedBy };
};

const without = <V>(record: Record<string, V>, key: string): Record<string, V> => {
  const { [key]: _removed, ...rest } = record;
  return rest;
};

export const evolveCenterConfig = (config: CenterConfig, event: ConfigEvent): CenterConfig => {
  switch (event.type) {
    case 'QueueConfigured': {
      const q = event.data;
      const queue: QueueSettings = {
        queueId: q.queueId,
        name: q.name,
        strategy: q.strategy,
        priority: q.priority,
        serviceLevelThresholdSeconds: q.serviceLevelThresholdSeconds,
        requiredSkills: q.requiredSkills,
        language: q.language ?? null,
        department: q.department ?? null,
      };
      return withDerived({ ...config, queues: { ...config.queues, [q.queueId]: queue } });
    }
    case 'QueueRemoved':
      return withDerived({ ...config, queues: without(config.queues, event.data.queueId) });
    case 'AgentProfileConfigured': {
      const a = event.data;
      const agent: AgentProfileSummary = {
        agentId: a.agentId,
        name: a.name,
        supervisor: a.supervisor,
        skills: a.skills,
        languages: a.languages,
        departments: a.departments,
        wrapUpSeconds: a.wrapUpSeconds,
      };
      return withDerived({ ...config, agents: { ...config.agents, [a.agentId]: agent } });
    }
    case 'AgentProfileRemoved':
      return withDerived({ ...config, agents: without(config.agents, event.data.agentId) });
    case 'BusinessHoursConfigured':
      return withDerived({ ...config, hoursTimezones: { ...config.hoursTimezones, [event.data.hoursId]: event.data.timezone } });
    case 'BusinessHoursRemoved':
      return withDerived({ ...config, hoursTimezones: without(config.hoursTimezones, event.data.hoursId) });
    case 'PhoneNumberConfigured':
      return withDerived({ ...config, numberHours: { ...config.numberHours, [event.data.number]: event.data.hoursId } });
    case 'PhoneNumberRemoved':
      return withDerived({ ...config, numberHours: without(config.numberHours, event.data.number) });
    case 'IvrMenuConfigured':
    case 'IvrMenuRemoved':
    case 'ContactCenterSettingsConfigured':
      return config;
    default: {
      const _exhaustive: never = event;
      return config;
    }
  }
};

/** Event types that change a `CenterConfig`. */
export const CENTER_CONFIG_EVENT_TYPES = [
  'QueueConfigured',
  'QueueRemoved',
  'AgentProfileConfigured',
  'AgentProfileRemoved',
  'BusinessHoursConfigured',
  'BusinessHoursRemoved',
  'PhoneNumberConfigured',
  'PhoneNumberRemoved',
] as const;
