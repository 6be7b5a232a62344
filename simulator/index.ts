export { createSimulator, type LegView, type Simulator, type SimulatorControl, type WebhookUrlsPatch } from './simulator';
export { SimClock, ScaledTime, type ClockSnapshot, type TimerHandle } from './clock';
export { parseSimulatorOptions, SimulatorConfigError, type Faults, type FaultsPatch, type SimulatorOptions, type SimulatorOptionsInput } from './config';
export type { CountersSnapshot, WebhookCounts } from './counters';
export type { WebhookEnvelope, WebhookEvent, DeliveryRecord } from './webhooks/dispatcher';
export type { DeviceCall, DeviceNetwork, PhoneDevice } from './world/devices';
export type { World, PlacedCall, WorldSnapshot } from './world/world';
export type { CallerScriptInput, PhoneBehaviourInput, CalleeBehaviourInput, ArrivalsConfigInput } from './world/scripts';
export { SimulatorClient } from './control/client';
