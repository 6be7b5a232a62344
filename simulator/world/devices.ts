import type { FarEnd, HangupCause, Leg, SipHeader } from '../calls/model';

/** What a device sees of a call: the ids a WebRTC invite carries, the parties, headers and state. */
export interface DeviceCall {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  callerIdName?: string;
  customHeaders: SipHeader[];
  clientState: string | null;
}

/**
 * An agent phone registered by SIP username (a credential's sip_username). The simulated phone
 * implements it with scripted behaviour; a WebRTC (telnyx_rtc) session can implement it by
 * turning these calls into Verto messages and the user's clicks into DeviceNetwork calls.
 */
export interface PhoneDevice {
  readonly sipUsername: string;
  readonly kind: string;
  /** True when it cannot take another call: the network ends the dial with user_busy. */
  isBusy(): boolean;
  /** A call rings on the device; it answers, rejects or ignores it through the DeviceNetwork. */
  ring(call: DeviceCall): void;
  /** The ringing call was withdrawn (caller cancelled, ring timeout, answered elsewhere). */
  cancelled(call: DeviceCall, cause: HangupCause): void;
  /** Media is up: the device answered, or its own outbound call was bridged. */
  connected(call: DeviceCall): void;
  /** The network or the application ended the call. */
  ended(call: DeviceCall, cause: HangupCause): void;
  /** The registration is removed (unregister, reset, or a newer registration of the same username). */
  unregistered?(): void;
}

/** What a device can do on the network. */
export interface DeviceNetwork {
  answer(callControlId: string): boolean;
  reject(callControlId: string, cause?: 'call_rejected' | 'user_busy'): boolean;
  hangup(callControlId: string): boolean;
  sendDtmf(callControlId: string, digits: string): boolean;
  say(callControlId: string, text: string): boolean;
  /** Places an outbound call from the device (arrives parked, direction outgoing). */
  dial(device: PhoneDevice, to: string, options?: { customHeaders?: SipHeader[]; callerIdName?: string }): DeviceCall;
}

export const toDeviceCall = (leg: Leg, direction: DeviceCall['direction']): DeviceCall => ({
  callControlId: leg.callControlId,
  callLegId: leg.callLegId,
  callSessionId: leg.callSessionId,
  direction,
  from: leg.from,
  to: leg.to,
  callerIdName: leg.callerIdName,
  customHeaders: leg.customHeaders,
  clientState: leg.clientState,
});

/** Connects a leg to a device. */
export function deviceFarEnd(device: PhoneDevice, direction: DeviceCall['direction']): FarEnd {
  return {
    kind: 'device',
    label: device.sipUsername,
    offered: (leg) => device.ring(toDeviceCall(leg, direction)),
    cancelled: (leg, cause) => device.cancelled(toDeviceCall(leg, direction), cause),
    bridged: (leg) => {
      if (direction === 'outbound') device.connected(toDeviceCall(leg, direction));
    },
    ended: (leg, cause) => device.ended(toDeviceCall(leg, direction), cause),
  };
}

/** Devices by SIP username; like Telnyx, the last registration of a username wins. */
export class DeviceRegistry {
  private readonly devices = new Map<string, PhoneDevice>();

  register(device: PhoneDevice): void {
    const previous = this.devices.get(device.sipUsername);
    this.devices.set(device.sipUsername, device);
    if (previous && previous !== device) previous.unregistered?.();
  }

  unregister(sipUsername: string, device?: PhoneDevice): boolean {
    const current = this.devices.get(sipUsername);
    if (!current || (device && current !== device)) return false;
    this.devices.delete(sipUsername);
    current.unregistered?.();
    return true;
  }

  get(sipUsername: string): PhoneDevice | undefined {
    return this.devices.get(sipUsername);
  }

  list(): PhoneDevice[] {
    return [...this.devices.values()];
  }

  clear(): void {
    for (const d of [...this.devices.values()]) this.unregister(d.sipUsername);
  }
}

/** `sip:<user>@sip.telnyx.com[;params]` → user; anything else → undefined. */
export function sipUsernameOf(to: string): string | undefined {
  const m = /^sips?:([^@;]+)@sip\.telnyx\.com(?:[;?].*)?$/i.exec(to.trim());
  return m?.[1];
}
