import type { SimClock, TimerHandle } from '../clock';
import type { CallEngine, Destination } from '../calls/engine';
import type { Leg, SipHeader } from '../calls/model';
import type { Counters } from '../counters';
import type { SimLogger } from '../logger';
import type { Rng } from '../rng';
import { SimulatedCallee } from './callee';
import { SimulatedCaller } from './caller';
import { DeviceRegistry, deviceFarEnd, sipUsernameOf, toDeviceCall, type DeviceCall, type DeviceNetwork, type PhoneDevice } from './devices';
import { SimulatedPhone, type PhoneSnapshot } from './phone';
import {
  ArrivalsSchema,
  CalleeBehaviourSchema,
  CallerScriptSchema,
  PhoneBehaviourSchema,
  type ArrivalsConfig,
  type ArrivalsConfigInput,
  type CalleeBehaviour,
  type CalleeBehaviourInput,
  type CallerScriptInput,
  type PhoneBehaviourInput,
} from './scripts';

export interface PlacedCall {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  from: string;
  to: string;
}

export interface WorldSnapshot {
  phones: PhoneSnapshot[];
  devices: { sipUsername: string; kind: string; busy: boolean }[];
  activeCallers: number;
  arrivals: (ArrivalsConfig & { placed: number }) | null;
  callees: Record<string, CalleeBehaviour>;
}

/**
 * The simulated outside world: callers who dial the main number, agent devices registered by SIP
 * username, and the people behind any other number the application dials.
 */
export class World {
  readonly devices = new DeviceRegistry();
  private readonly phones = new Map<string, SimulatedPhone>();
  private readonly callers = new Set<SimulatedCaller>();
  private readonly callees = new Set<SimulatedCallee>();
  private readonly calleeBehaviours = new Map<string, CalleeBehaviour>();
  private defaultCallee: CalleeBehaviour = CalleeBehaviourSchema.parse({});
  private arrivals?: { config: ArrivalsConfig; placed: number; timer?: TimerHandle };
  readonly network: DeviceNetwork;

  constructor(
    private readonly deps: {
      engine: CallEngine;
      clock: SimClock;
      rng: Rng;
      counters: Counters;
      logger: SimLogger;
      mainNumber: string;
      inboundAnswerTimeoutMs: number;
    },
  ) {
    const { engine } = deps;
    this.network = {
      answer: (id) => engine.farAnswer(id),
      reject: (id, cause = 'call_rejected') => engine.farReject(id, cause),
      hangup: (id) => engine.farHangup(id),
      sendDtmf: (id, digits) => engine.farDtmf(id, digits),
      say: (id, text) => engine.farSay(id, text),
      dial: (device, to, options = {}) => this.deviceDial(device, to, options),
    };
  }

  // ---------------------------------------------------------------- routing

  /** Who answers a number or SIP URI the application dials. */
  resolve(to: string, _leg: Leg): Destination {
    const username = sipUsernameOf(to);
    if (username !== undefined) {
      const device = this.devices.get(username);
      if (!device) return { failure: 'not_found' };
      if (device.isBusy()) return { failure: 'user_busy' };
      return deviceFarEnd(device, 'inbound');
    }
    const behaviour = this.calleeBehaviours.get(to) ?? this.defaultCallee;
    const callee = new SimulatedCallee(to, behaviour, { network: this.deps.engine, clock: this.deps.clock, onDone: (c) => this.callees.delete(c) });
    this.callees.add(callee);
    return callee;
  }

  /** Sets how a number behaves when dialed; `default` sets it for every number without its own. */
  setCallee(number: string, input: CalleeBehaviourInput): CalleeBehaviour {
    const behaviour = CalleeBehaviourSchema.parse(input);
    if (number === 'default') this.defaultCallee = behaviour;
    else this.calleeBehaviours.set(number, behaviour);
    return behaviour;
  }

  // ---------------------------------------------------------------- callers

  placeCaller(input: CallerScriptInput = {}): PlacedCall {
    const script = CallerScriptSchema.parse(input);
    const from = script.from ?? this.randomNumber();
    const caller = new SimulatedCaller(from, script, {
      network: this.deps.engine,
      clock: this.deps.clock,
      counters: this.deps.counters,
      answerTimeoutMs: this.deps.inboundAnswerTimeoutMs,
      onDone: (c) => this.callers.delete(c),
    });
    this.callers.add(caller);
    const leg = this.deps.engine.inbound({
      from,
      to: script.to ?? this.deps.mainNumber,
      callerIdName: script.callerIdName,
      customHeaders: script.customHeaders,
      farEnd: caller,
    });
    caller.start(leg);
    this.deps.counters.worldEvent('callersPlaced');
    return { callControlId: leg.callControlId, callLegId: leg.callLegId, callSessionId: leg.callSessionId, from: leg.from, to: leg.to };
  }

  startArrivals(input: ArrivalsConfigInput): ArrivalsConfig {
    this.stopArrivals();
    const config = ArrivalsSchema.parse(input);
    this.arrivals = { config, placed: 0 };
    this.scheduleArrival();
    return config;
  }

  stopArrivals(): boolean {
    if (!this.arrivals) return false;
    this.arrivals.timer?.cancel();
    this.arrivals = undefined;
    return true;
  }

  private scheduleArrival(): void {
    const a = this.arrivals;
    if (!a) return;
    const meanGapMs = 60_000 / a.config.ratePerMinute;
    a.timer = this.deps.clock.setTimeout(() => {
      if (this.arrivals !== a) return;
      const { rng } = this.deps;
      const c = a.config;
      const script: CallerScriptInput = { ...c.template };
      if (c.ivrChoices?.length) script.ivr = rng.weighted(c.ivrChoices.map((x) => ({ value: x.ivr, weight: x.weight })));
      if (c.patienceMeanMs !== undefined) script.patienceMs = rng.exponential(c.patienceMeanMs);
      if (c.talkMeanMs !== undefined) script.talkMs = rng.exponential(c.talkMeanMs);
      this.placeCaller(script);
      a.placed++;
      if (c.maxCallers !== undefined && a.placed >= c.maxCallers) {
        this.arrivals = undefined;
        return;
      }
      this.scheduleArrival();
    }, this.deps.rng.exponential(meanGapMs));
  }

  // ---------------------------------------------------------------- phones

  registerPhone(sipUsername: string, input: PhoneBehaviourInput = {}): SimulatedPhone {
    const behaviour = PhoneBehaviourSchema.parse(input);
    const existing = this.phones.get(sipUsername);
    if (existing && this.devices.get(sipUsername) === existing) {
      existing.behaviour = behaviour;
      return existing;
    }
    const phone = new SimulatedPhone(sipUsername, behaviour, { network: this.network, clock: this.deps.clock, counters: this.deps.counters });
    this.phones.set(sipUsername, phone);
    this.devices.register(phone);
    return phone;
  }

  /** Registers any device (e.g. a WebRTC session) under its SIP username. */
  registerDevice(device: PhoneDevice): void {
    this.devices.register(device);
  }

  unregister(sipUsername: string): boolean {
    const phone = this.phones.get(sipUsername);
    this.phones.delete(sipUsername);
    phone?.stop();
    return this.devices.unregister(sipUsername);
  }

  phone(sipUsername: string): SimulatedPhone | undefined {
    const phone = this.phones.get(sipUsername);
    return phone && this.devices.get(sipUsername) === phone ? phone : undefined;
  }

  private deviceDial(device: PhoneDevice, to: string, options: { customHeaders?: SipHeader[]; callerIdName?: string }): DeviceCall {
    const leg = this.deps.engine.deviceOutbound({
      sipUsername: device.sipUsername,
      to,
      callerIdName: options.callerIdName,
      customHeaders: options.customHeaders,
      farEnd: deviceFarEnd(device, 'outbound'),
    });
    return toDeviceCall(leg, 'outbound');
  }

  // ---------------------------------------------------------------- state

  snapshot(): WorldSnapshot {
    return {
      phones: [...this.phones.values()].filter((p) => this.devices.get(p.sipUsername) === p).map((p) => p.snapshot()),
      devices: this.devices.list().map((d) => ({ sipUsername: d.sipUsername, kind: d.kind, busy: d.isBusy() })),
      activeCallers: this.callers.size,
      arrivals: this.arrivals ? { ...this.arrivals.config, placed: this.arrivals.placed } : null,
      callees: { default: this.defaultCallee, ...Object.fromEntries(this.calleeBehaviours) },
    };
  }

  /** Forgets callers, phones, callees and arrivals without signalling anything. */
  reset(): void {
    this.stopArrivals();
    for (const c of this.callers) c.stop();
    this.callers.clear();
    for (const c of [...this.callees]) c.stop();
    this.callees.clear();
    for (const p of this.phones.values()) p.stop();
    this.phones.clear();
    this.devices.clear();
    this.calleeBehaviours.clear();
    this.defaultCallee = CalleeBehaviourSchema.parse({});
  }

  private randomNumber(): string {
    return `+1555${String(this.deps.rng.int(2_000_000, 9_999_999))}`;
  }
}
