import type { TimerHandle } from '../clock';

export type LegState = 'parked' | 'ringing' | 'answered' | 'bridged' | 'hangup';
export type Direction = 'incoming' | 'outgoing';
export type HangupCause =
  | 'call_rejected'
  | 'normal_clearing'
  | 'originator_cancel'
  | 'timeout'
  | 'time_limit'
  | 'user_busy'
  | 'not_found'
  | 'no_answer'
  | 'unspecified';
export type HangupSource = 'caller' | 'callee' | 'unknown';
export type SupervisorRole = 'barge' | 'whisper' | 'monitor';
export type DequeueReason = 'bridged' | 'bridging-in-process' | 'hangup' | 'leave' | 'timeout';
export type RecordingChannels = 'single' | 'dual';

export interface SipHeader {
  name: string;
  value: string;
}

export const SIP_CAUSE: Record<HangupCause, string> = {
  call_rejected: '603',
  normal_clearing: 'unspecified',
  originator_cancel: '487',
  timeout: '408',
  time_limit: 'unspecified',
  user_busy: '486',
  not_found: '404',
  no_answer: '480',
  unspecified: 'unspecified',
};

export interface MediaItem {
  kind: 'speak' | 'playback';
  /** Simulated ms; null plays until stopped (loop "infinity"). */
  durationMs: number | null;
  mediaUrl?: string;
  mediaName?: string;
  overlay: boolean;
  timer?: TimerHandle;
}

export interface GatherState {
  kind: 'gather' | 'gather_using_speak';
  gatherId?: string;
  digits: string;
  minimumDigits: number;
  maximumDigits: number;
  validDigits: string;
  /** '' when disabled. */
  terminatingDigit: string;
  firstDigitTimeoutMs: number;
  interDigitTimeoutMs: number;
  overallTimeoutMs?: number;
  maximumTries: number;
  tries: number;
  promptMs: number;
  invalidPromptMs: number;
  phase: 'prompt' | 'collecting';
  timer?: TimerHandle;
  overallTimer?: TimerHandle;
}

export interface QueueMembership {
  name: string;
  enqueuedAt: number;
  maxWaitTimer?: TimerHandle;
}

export interface ActiveRecording {
  id: string;
  channels: RecordingChannels;
  format: 'wav' | 'mp3';
  startedAt: number;
  /** Simulated ms recorded so far, excluding pauses. */
  recordedMs: number;
  /** Set while recording (not paused): the time the current segment started. */
  segmentStart: number | null;
  maxLengthTimer?: TimerHandle;
}

export interface TranscriptionState {
  tracks: 'inbound' | 'outbound' | 'both';
  engine: string;
}

export interface RingGroup {
  legs: string[];
  winner?: string;
}

/** One call leg, keyed by its call_control_id. */
export interface Leg {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  connectionId: string;
  direction: Direction;
  from: string;
  to: string;
  callerIdName?: string;
  callingPartyType: 'pstn' | 'sip';
  state: LegState;
  startedAt: number;
  answeredAt?: number;
  endedAt?: number;
  clientState: string | null;
  customHeaders: SipHeader[];
  webhookUrl?: string;
  farEnd: FarEnd;
  bridgedWith?: string;
  parkAfterUnbridge: boolean;
  linkTo?: string;
  bridgeOnAnswer: boolean;
  /** Legs that asked to be bridged with this one once it answers. */
  pendingBridges: Set<string>;
  /** The leg whose transfer created this one. */
  transferOf?: string;
  ringGroup?: RingGroup;
  ringTimer?: TimerHandle;
  timeLimitSecs?: number;
  timeLimitTimer?: TimerHandle;
  recordFromAnswer?: { channels: RecordingChannels; format: 'wav' | 'mp3'; maxLengthSecs?: number };
  media: { current?: MediaItem; queue: MediaItem[]; overlays: Set<MediaItem> };
  gather?: GatherState;
  queue?: QueueMembership;
  recording?: ActiveRecording;
  transcription?: TranscriptionState;
  supervisor?: { supervisedId: string; role: SupervisorRole };
  supervisors: Set<string>;
  /** command_id → simulated ms it was first accepted. */
  commandIds: Map<string, number>;
  hangupCause?: HangupCause;
  hangupSource?: HangupSource;
}

/**
 * Whoever is at the other end of a leg: a simulated caller, an agent device, or a callee behind
 * a number. The engine tells it what happens on the network; it acts back through the engine's
 * far-end methods (answer, reject, hangup, dtmf, say).
 */
export interface FarEnd {
  readonly kind: 'caller' | 'device' | 'callee';
  readonly label: string;
  /** An outgoing leg rings at this party. */
  offered?(leg: Leg): void;
  /** The ringing leg was withdrawn before this party answered. */
  cancelled?(leg: Leg, cause: HangupCause): void;
  /** The application answered this party's incoming call. */
  answered?(leg: Leg): void;
  gatherStarted?(leg: Leg, info: { promptMs: number; attempt: number }): void;
  gatherEnded?(leg: Leg): void;
  enqueued?(leg: Leg, queue: string): void;
  dequeued?(leg: Leg, reason: DequeueReason): void;
  bridged?(leg: Leg, peer: Leg): void;
  unbridged?(leg: Leg): void;
  /** The network or the application ended the leg (not this party). */
  ended?(leg: Leg, cause: HangupCause): void;
}

export const isAlive = (leg: Leg): boolean => leg.state !== 'hangup';
