import { Injectable, computed, effect, inject, signal, untracked } from '@angular/core';
import type { Call, IClientOptions, INotification, TelnyxRTC } from '@telnyx/webrtc';
import { Api } from '../core/authed-api.service';
import { NotifyService } from '../core/notify.service';
import { RuntimeConfigService } from '../core/runtime-config';
import { refreshDelay, retryDelay, TELEPHONY_REFRESH } from '../core/schedule';
import { SessionService } from '../core/session.service';
import { SessionStore } from '../core/session-store';
import { REPORT_SOFTPHONE_REGISTRATION } from '../graphql/documents';
import type { TelephonyToken } from '../graphql/types';
import { loadAudioChoice, matchDevice, saveAudioChoice, type AudioChoice, type AudioDevice } from './audio-settings';
import {
  CALL_ID_HEADER,
  OFFER_ID_HEADER,
  decodeLegClientState,
  headerValue,
  legPurpose,
  phaseOf,
  type Header,
  type LegPurpose,
  type PhonePhase,
} from './phone-logic';
import { Ringer } from './ringer';

export type Registration = 'off' | 'connecting' | 'registered' | 'reconnecting' | 'failed';

/** A call on this browser's softphone, as the views show it. */
export interface PhoneCall {
  id: string;
  direction: 'inbound' | 'outbound';
  sdkState: string;
  phase: PhonePhase;
  remoteNumber: string | null;
  remoteName: string | null;
  /** The callstream call it belongs to (X-Callstream-Call-Id or client_state). */
  callId: string | null;
  offerId: string | null;
  purpose: LegPurpose;
  telnyxCallControlId: string | null;
  muted: boolean;
  /** Local ms when the call rang or was placed, and when it connected. */
  createdAt: number;
  connectedAt: number | null;
  cause: string | null;
}

/** The SDK reads `host` (IVertoOptions) at run time, but its public options type leaves it out. */
interface ClientOptions extends IClientOptions {
  host?: string;
}

const REMOTE_AUDIO_ID = 'cs-remote-audio';
const AUTO_ANSWER_WINDOW_MS = 60_000;

/**
 * The agent's softphone: the real @telnyx/webrtc SDK logged in with the token the backend issued
 * for this browser, its registration reported to the backend (the router dials registered agents
 * only), the token renewed before it expires, and the audio devices chosen here remembered.
 */
@Injectable({ providedIn: 'root' })
export class SoftphoneService {
  private readonly api = inject(Api);
  private readonly session = inject(SessionService);
  private readonly store = inject(SessionStore);
  private readonly runtime = inject(RuntimeConfigService);
  private readonly notify = inject(NotifyService);

  private readonly registrationState = signal<Registration>('off');
  private readonly errorText = signal<string | null>(null);
  private readonly callList = signal<PhoneCall[]>([]);
  private readonly inputList = signal<AudioDevice[]>([]);
  private readonly outputList = signal<AudioDevice[]>([]);
  private readonly choice = signal<AudioChoice>(loadAudioChoice());
  private readonly reported = signal<boolean | null>(null);

  readonly registration = this.registrationState.asReadonly();
  readonly error = this.errorText.asReadonly();
  readonly calls = this.callList.asReadonly();
  readonly inputs = this.inputList.asReadonly();
  readonly outputs = this.outputList.asReadonly();
  readonly audio = this.choice.asReadonly();
  /** Whether the backend has been told this device is registered. */
  readonly reportedRegistered = this.reported.asReadonly();
  readonly sipUsername = computed(() => this.store.telephony()?.sipUsername ?? null);
  readonly enabled = computed(() => this.store.me()?.agentId != null);
  readonly ringing = computed(() => this.callList().filter((c) => c.phase === 'ringing' && c.direction === 'inbound' && !this.answeringItself().has(c.id)));
  readonly ringtoneMuted = signal(false);
  /** Browser calls being answered without a click (the user asked for them). */
  private readonly answeringItself = signal<ReadonlySet<string>>(new Set());
  readonly autoAnswering = this.answeringItself.asReadonly();

  private client: TelnyxRTC | null = null;
  private readonly sdkCalls = new Map<string, Call>();
  private loggedInToken: string | null = null;
  private tokenTimer: ReturnType<typeof setTimeout> | null = null;
  private tokenAttempts = 0;
  private authFailures = 0;
  private starting = false;
  private readonly ringer = new Ringer();
  private autoAnswers: Array<{ callId: string; at: number }> = [];

  constructor() {
    this.session.beforeLogout(() => this.stop());
    effect(() => {
      const signedIn = this.store.signedIn();
      const enabled = this.enabled();
      const telephony = this.store.telephony();
      untracked(() => void this.sync(signedIn && enabled, telephony));
    });
    effect(() => {
      const ring = this.ringing().some((c) => c.purpose !== 'supervisor');
      this.ringer.muted = this.ringtoneMuted();
      if (ring && !this.ringtoneMuted()) this.ringer.start();
      else this.ringer.stop();
    });
  }

  // ------------------------------------------------------------------ lifecycle

  private async sync(wanted: boolean, telephony: TelephonyToken | null): Promise<void> {
    if (!wanted) {
      if (this.client) await this.stop();
      return;
    }
    if (!telephony) {
      if (!this.starting) await this.fetchToken();
      return;
    }
    this.scheduleTokenRefresh(telephony);
    if (!this.client) await this.start(telephony);
    else if (this.loggedInToken !== telephony.loginToken) this.relogin(telephony.loginToken);
  }

  private async fetchToken(): Promise<void> {
    this.starting = true;
    try {
      await this.session.refreshTelephony();
      this.tokenAttempts = 0;
    } catch (error) {
      this.registrationState.set('failed');
      this.errorText.set('No softphone login: the backend could not issue a WebRTC token.');
      this.notify.error(error, 'Softphone');
      this.tokenAttempts += 1;
      const expires = Date.now() + 3_600_000;
      setTimeout(() => void this.sync(this.store.signedIn() && this.enabled(), this.store.telephony()), retryDelay(this.tokenAttempts, expires, Date.now(), 60_000));
    } finally {
      this.starting = false;
    }
  }

  private async start(telephony: TelephonyToken): Promise<void> {
    if (this.starting) return;
    this.starting = true;
    this.registrationState.set('connecting');
    this.errorText.set(null);
    try {
      const { TelnyxRTC: Client } = await import('@telnyx/webrtc');
      const host = this.runtime.config().rtcHost;
      const options: ClientOptions = {
        login_token: telephony.loginToken,
        // Against Telnyx itself no host is set and the SDK uses its own servers and STUN/TURN.
        ...(host ? { host, iceServers: [] } : {}),
        enableCallReports: false,
        hangupOnBeforeUnload: true,
        maxReconnectAttempts: 0,
      };
      const client = new Client(options);
      this.client = client;
      this.loggedInToken = telephony.loginToken;
      client.remoteElement = REMOTE_AUDIO_ID;
      client.on('telnyx.ready', () => this.onReady());
      client.on('telnyx.error', (event: unknown) => this.onError(event));
      client.on('telnyx.warning', (event: unknown) => this.onWarning(event));
      client.on('telnyx.socket.close', () => this.onSocketClosed());
      client.on('telnyx.notification', (n: INotification) => {
        if (n.type === 'callUpdate' && n.call) this.track(n.call);
      });
      await client.connect();
    } catch (error) {
      this.registrationState.set('failed');
      this.errorText.set(error instanceof Error ? error.message : 'The softphone could not start');
    } finally {
      this.starting = false;
    }
  }

  /** Disconnects the SDK and tells the backend the device is gone (sign-out, or no agent). */
  async stop(): Promise<void> {
    if (this.tokenTimer) clearTimeout(this.tokenTimer);
    this.tokenTimer = null;
    const client = this.client;
    this.client = null;
    this.loggedInToken = null;
    this.ringer.stop();
    if (this.reported() && this.store.signedIn()) await this.report(false);
    this.registrationState.set('off');
    this.callList.set([]);
    this.sdkCalls.clear();
    if (client) await client.disconnect().catch(() => undefined);
  }

  private relogin(token: string): void {
    const client = this.client;
    if (!client) return;
    this.loggedInToken = token;
    void client.login({
      creds: { login_token: token },
      onError: () => this.errorText.set('The softphone could not log in again with the renewed token.'),
    });
  }

  private scheduleTokenRefresh(telephony: TelephonyToken): void {
    if (this.tokenTimer) clearTimeout(this.tokenTimer);
    const expires = Date.parse(telephony.expiresAt);
    const delay = this.tokenAttempts > 0 ? retryDelay(this.tokenAttempts, expires, Date.now(), 60_000) : refreshDelay(expires, Date.now(), TELEPHONY_REFRESH);
    // setTimeout holds at most ~24.8 days; a token never lives that long, but be safe.
    this.tokenTimer = setTimeout(() => void this.renewToken(), Math.min(delay, 2 ** 31 - 1));
  }

  private async renewToken(): Promise<void> {
    try {
      await this.session.refreshTelephony();
      this.tokenAttempts = 0;
    } catch {
      this.tokenAttempts += 1;
      const t = this.store.telephony();
      if (t) this.scheduleTokenRefresh(t);
    }
  }

  // ------------------------------------------------------------------ SDK events

  private onReady(): void {
    this.registrationState.set('registered');
    this.errorText.set(null);
    this.authFailures = 0;
    void this.report(true);
    void this.loadDevices();
  }

  private onSocketClosed(): void {
    if (!this.client) return;
    this.registrationState.set('reconnecting');
    void this.report(false);
  }

  private onError(event: unknown): void {
    const message = sdkErrorMessage(event);
    this.errorText.set(message);
    if (/auth|login|token|credential/i.test(message) && this.authFailures < 2) {
      // The token was refused (expired or its credential replaced): get a new one and log in with it.
      this.authFailures += 1;
      void this.session.refreshTelephony().catch((error: unknown) => this.notify.error(error, 'Softphone'));
      return;
    }
    if (this.registrationState() !== 'registered') this.registrationState.set('failed');
  }

  private onWarning(event: unknown): void {
    const name = typeof event === 'object' && event !== null && 'warning' in event ? (event as { warning?: { name?: string } }).warning?.name : undefined;
    if (name === 'TOKEN_EXPIRING_SOON') void this.renewToken();
  }

  private async report(registered: boolean): Promise<void> {
    if (!this.store.hasRole('AGENT', 'SUPERVISOR', 'ADMIN')) return;
    try {
      const { reportSoftphoneRegistration } = await this.api.mutate(REPORT_SOFTPHONE_REGISTRATION, { deviceId: this.session.deviceId, registered });
      this.reported.set(reportSoftphoneRegistration.registered);
    } catch (error) {
      if (registered) this.notify.error(error, 'Could not report the softphone registration');
    }
  }

  private track(call: Call): void {
    this.sdkCalls.set(call.id, call);
    const options = call.options as unknown as { remoteCallerNumber?: string; remoteCallerName?: string; destinationNumber?: string; customHeaders?: Header[]; clientState?: string };
    const headers = options.customHeaders ?? [];
    const state = decodeLegClientState(options.clientState, (b64) => atob(b64));
    const phase = phaseOf(call.state);
    const previous = this.callList().find((c) => c.id === call.id);
    const view: PhoneCall = {
      id: call.id,
      direction: call.direction === 'outbound' ? 'outbound' : 'inbound',
      sdkState: call.state,
      phase,
      remoteNumber: (call.direction === 'outbound' ? options.destinationNumber : options.remoteCallerNumber) ?? null,
      remoteName: options.remoteCallerName ?? null,
      callId: headerValue(headers, CALL_ID_HEADER) ?? state?.callId ?? null,
      offerId: headerValue(headers, OFFER_ID_HEADER) ?? state?.offerId ?? null,
      purpose: legPurpose(state, headers),
      telnyxCallControlId: call.telnyxIDs?.telnyxCallControlId ?? null,
      muted: call.isAudioMuted,
      createdAt: previous?.createdAt ?? Date.now(),
      connectedAt: previous?.connectedAt ?? (phase === 'active' ? Date.now() : null),
      cause: call.cause ?? null,
    };
    if (phase === 'ended') {
      this.sdkCalls.delete(call.id);
      if (this.answeringItself().has(call.id)) this.answeringItself.update((ids) => new Set([...ids].filter((id) => id !== call.id)));
      this.callList.update((l) => l.filter((c) => c.id !== call.id));
      return;
    }
    this.callList.update((l) => (previous ? l.map((c) => (c.id === call.id ? view : c)) : [...l, view]));
    if (previous?.phase !== 'ringing' && phase === 'ringing' && view.direction === 'inbound' && this.takeAutoAnswer(view.callId)) {
      this.answeringItself.update((ids) => new Set(ids).add(view.id));
      void this.answer(view.id).catch(() => undefined);
    }
  }

  // ------------------------------------------------------------------ actions

  private sdkCall(id: string): Call {
    const call = this.sdkCalls.get(id);
    if (!call) throw new Error('That call has already ended.');
    return call;
  }

  async answer(id: string): Promise<void> {
    this.ringer.stop();
    await this.sdkCall(id).answer({ video: false });
  }

  /** Declines a ringing call (the SDK sends USER_BUSY) or hangs up an answered one. */
  async hangup(id: string): Promise<void> {
    await this.sdkCall(id).hangup();
  }

  async hold(id: string): Promise<void> {
    await this.sdkCall(id).hold();
  }

  async unhold(id: string): Promise<void> {
    await this.sdkCall(id).unhold();
  }

  setMuted(id: string, muted: boolean): void {
    const call = this.sdkCall(id);
    if (muted) call.muteAudio();
    else call.unmuteAudio();
    this.callList.update((l) => l.map((c) => (c.id === id ? { ...c, muted: call.isAudioMuted } : c)));
  }

  dtmf(id: string, digits: string): void {
    const call = this.sdkCall(id);
    for (const digit of digits) call.dtmf(digit);
  }

  /** Places an outbound call; the backend sees it arrive parked and connects it. */
  dial(destination: string, headers: Header[] = []): string {
    if (!this.client || this.registrationState() !== 'registered') throw new Error('The softphone is not registered.');
    const call = this.client.newCall({ destinationNumber: destination, audio: true, video: false, customHeaders: headers, remoteElement: REMOTE_AUDIO_ID });
    this.track(call);
    return call.id;
  }

  /**
   * The user has just asked for this call (picked it from the queue, or chose to monitor, whisper or
   * barge): the leg that rings for it next is answered without a second click.
   */
  autoAnswer(callId: string): void {
    const now = Date.now();
    this.autoAnswers = [...this.autoAnswers.filter((r) => now - r.at < AUTO_ANSWER_WINDOW_MS), { callId, at: now }];
  }

  private takeAutoAnswer(callId: string | null): boolean {
    if (callId === null) return false;
    const now = Date.now();
    const index = this.autoAnswers.findIndex((r) => now - r.at < AUTO_ANSWER_WINDOW_MS && r.callId === callId);
    if (index < 0) return false;
    this.autoAnswers.splice(index, 1);
    return true;
  }

  // ------------------------------------------------------------------ audio devices

  async loadDevices(): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      // The audio-only lists: getDevices() also asks for the camera, which an agent's browser must not prompt for.
      const [inputs, outputs] = await Promise.all([client.getAudioInDevices(), client.getAudioOutDevices().catch(() => [] as MediaDeviceInfo[])]);
      const toList = (devices: MediaDeviceInfo[], kind: string): AudioDevice[] =>
        devices.filter((d) => d.deviceId !== '').map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${kind} ${i + 1}` }));
      this.inputList.set(toList(inputs, 'Microphone'));
      this.outputList.set(toList(outputs, 'Speaker'));
      const chosen = this.choice();
      const mic = matchDevice(this.inputList(), chosen.micId, chosen.micLabel);
      if (mic) await this.setMicrophone(mic.deviceId);
      const speaker = matchDevice(this.outputList(), chosen.speakerId, chosen.speakerLabel);
      if (speaker) await this.setSpeaker(speaker.deviceId);
    } catch (error) {
      this.notify.error(error, 'Audio devices');
    }
  }

  async setMicrophone(deviceId: string): Promise<void> {
    const device = this.inputList().find((d) => d.deviceId === deviceId);
    if (!device || !this.client) return;
    await this.client.setAudioSettings({ micId: device.deviceId, micLabel: device.label });
    for (const call of this.sdkCalls.values()) await call.setAudioInDevice(device.deviceId).catch(() => undefined);
    this.remember({ ...this.choice(), micId: device.deviceId, micLabel: device.label });
  }

  async setSpeaker(deviceId: string): Promise<void> {
    const device = this.outputList().find((d) => d.deviceId === deviceId);
    if (!device || !this.client) return;
    this.client.speaker = device.deviceId;
    const element = document.getElementById(REMOTE_AUDIO_ID) as (HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> }) | null;
    await element?.setSinkId?.(device.deviceId).catch(() => undefined);
    this.remember({ ...this.choice(), speakerId: device.deviceId, speakerLabel: device.label });
  }

  private remember(choice: AudioChoice): void {
    this.choice.set(choice);
    saveAudioChoice(choice);
  }
}

const sdkErrorMessage = (event: unknown): string => {
  if (typeof event === 'object' && event !== null) {
    const e = event as { error?: { message?: string; description?: string }; message?: string };
    return e.error?.message ?? e.error?.description ?? e.message ?? 'Softphone error';
  }
  return String(event);
};

export { REMOTE_AUDIO_ID };
