import type { ClockSnapshot } from '../clock';
import type { Faults, FaultsPatch } from '../config';
import type { CountersSnapshot } from '../counters';
import type { LegView } from '../simulator';
import type { DeviceCall } from '../world/devices';
import type { PhoneSnapshot } from '../world/phone';
import type { ArrivalsConfigInput, CalleeBehaviourInput, CallerScriptInput, PhoneBehaviourInput } from '../world/scripts';
import type { PlacedCall, WorldSnapshot } from '../world/world';

export class SimulatorControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SimulatorControlError';
  }
}

/** A small HTTP client for a simulator's /sim control API (used by the CLI and by out-of-process tests). */
export class SimulatorClient {
  private readonly base: string;

  constructor(
    url: string,
    private readonly key: string,
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  publicKey = async (): Promise<string> => (await this.request<{ public_key: string }>('GET', '/public-key')).public_key;
  config = (): Promise<Record<string, unknown>> => this.request('GET', '/config');
  setWebhookUrls = (urls: { webhookUrl?: string | null; failoverUrl?: string | null }): Promise<Record<string, unknown>> =>
    this.request('PUT', '/config', urls);
  clock = (): Promise<ClockSnapshot> => this.request('GET', '/clock');
  setScale = (scale: number): Promise<ClockSnapshot> => this.request('PUT', '/clock', { scale });
  advance = (ms: number): Promise<ClockSnapshot> => this.request('POST', '/clock/advance', { ms });
  faults = (): Promise<Faults> => this.request('GET', '/faults');
  setFaults = (patch: FaultsPatch): Promise<Faults> => this.request('PUT', '/faults', patch);
  clearFaults = (): Promise<Faults> => this.request('DELETE', '/faults');
  counters = (): Promise<CountersSnapshot> => this.request('GET', '/counters');
  resetCounters = (): Promise<unknown> => this.request('DELETE', '/counters');
  calls = async (alive?: boolean): Promise<LegView[]> =>
    (await this.request<{ data: LegView[] }>('GET', `/calls${alive === undefined ? '' : `?alive=${String(alive)}`}`)).data;
  call = async (id: string): Promise<LegView> => (await this.request<{ data: LegView }>('GET', `/calls/${encodeURIComponent(id)}`)).data;
  world = (): Promise<WorldSnapshot> => this.request('GET', '/world');
  placeCaller = async (script: CallerScriptInput = {}): Promise<PlacedCall> =>
    (await this.request<{ data: PlacedCall }>('POST', '/callers', script)).data;
  startArrivals = (config: ArrivalsConfigInput): Promise<unknown> => this.request('POST', '/arrivals', config);
  stopArrivals = (): Promise<unknown> => this.request('DELETE', '/arrivals');
  registerPhone = async (sipUsername: string, behaviour: PhoneBehaviourInput = {}): Promise<PhoneSnapshot> =>
    (await this.request<{ data: PhoneSnapshot }>('PUT', `/phones/${encodeURIComponent(sipUsername)}`, behaviour)).data;
  unregisterPhone = (sipUsername: string): Promise<unknown> => this.request('DELETE', `/phones/${encodeURIComponent(sipUsername)}`);
  phoneAction = (
    sipUsername: string,
    action: 'answer' | 'reject' | 'hangup' | 'dtmf',
    body: { callControlId?: string; cause?: 'call_rejected' | 'user_busy'; digits?: string } = {},
  ): Promise<{ ok: boolean }> => this.request('POST', `/phones/${encodeURIComponent(sipUsername)}/${action}`, body);
  phoneDial = async (sipUsername: string, to: string, customHeaders?: { name: string; value: string }[]): Promise<DeviceCall> =>
    (await this.request<{ data: DeviceCall }>('POST', `/phones/${encodeURIComponent(sipUsername)}/dial`, { to, customHeaders })).data;
  setCallee = (number: string, behaviour: CalleeBehaviourInput): Promise<unknown> =>
    this.request('PUT', `/callees/${encodeURIComponent(number)}`, behaviour);
  reset = (): Promise<unknown> => this.request('POST', '/reset');

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}/sim${path}`, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (!res.ok) {
      const message = typeof parsed === 'object' && parsed !== null && 'error' in parsed ? String((parsed as { error: unknown }).error) : text;
      throw new SimulatorControlError(res.status, `${method} /sim${path}: ${res.status} ${message}`);
    }
    return parsed as T;
  }
}
