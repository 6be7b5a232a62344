import type { SipHeader } from '../calls/model';

/** What the endpoint shows of a browser call (control API, media peers). */
export interface RtcCallView {
  /** The Verto call id (the SDK's `call.id`). */
  callID: string;
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  sipUsername: string;
  /** As the SDK sees it: `inbound` = the network rings the browser, `outbound` = the browser's `newCall`. */
  direction: 'inbound' | 'outbound';
  state: 'ringing' | 'active' | 'dialing' | 'ended';
  held: boolean;
  from: string;
  to: string;
  customHeaders: SipHeader[];
  /** Where the simulator's SDP came from: a registered offer, a media peer, or the placeholder (no media). */
  media: 'queued' | 'peer' | 'placeholder' | null;
  /** The simulator's SDP: the offer of an inbound call, the answer of an outbound one. */
  localSdp: string | null;
  /** The browser's SDP: its answer to an inbound call, its offer of an outbound one. */
  browserSdp: string | null;
}

/**
 * A far end with real media for browser calls (a test's `RTCPeerConnection`). Every method is
 * optional; returning undefined falls back to a placeholder SDP, which carries no media.
 */
export interface RtcMediaPeer {
  /** The offer of an invite that rings the browser. */
  offerFor?(call: RtcCallView): Promise<string | undefined> | string | undefined;
  /** The browser answered that offer. */
  browserAnswered?(call: RtcCallView, sdp: string): void | Promise<void>;
  /** An answer to the browser's offer: its `newCall`, or an ICE restart (`updateMedia`). */
  answerFor?(call: RtcCallView, offer: string, reason: 'invite' | 'updateMedia'): Promise<string | undefined> | string | undefined;
}
