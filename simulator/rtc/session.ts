import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { z } from 'zod';
import type { HangupCause } from '../calls/model';
import type { CredentialStore } from '../credentials';
import type { SimLogger } from '../logger';
import type { DeviceCall, DeviceNetwork, PhoneDevice } from '../world/devices';
import type { RtcCallView } from './media';
import {
  AnswerParamsSchema,
  ByeParamsSchema,
  IncomingSchema,
  InfoParamsSchema,
  InviteParamsSchema,
  LoginParamsSchema,
  Method,
  ModifyParamsSchema,
  RpcErrors,
  type ByeCause,
  type JsonRpcId,
  type RpcErrorBody,
} from './protocol';

/** Where a session gets SDP for the far end of its calls (the endpoint: queued offers, a media peer, or placeholders). */
export interface RtcMediaSource {
  offer(call: RtcCallView): Promise<{ sdp: string; media: NonNullable<RtcCallView['media']> }>;
  answer(call: RtcCallView, offer: string, reason: 'invite' | 'updateMedia'): Promise<{ sdp: string; media: NonNullable<RtcCallView['media']> }>;
  browserAnswered(call: RtcCallView, sdp: string): void;
}

export interface RtcSessionDeps {
  credentials: CredentialStore;
  network: DeviceNetwork;
  register(device: PhoneDevice): void;
  unregister(device: PhoneDevice): void;
  media: RtcMediaSource;
  logger: SimLogger;
  onClose(session: RtcSession): void;
}

export interface RtcSessionView {
  sessid: string | null;
  sipUsername: string | null;
  registered: boolean;
  calls: RtcCallView[];
}

interface RtcCall {
  callID: string;
  call: DeviceCall;
  direction: RtcCallView['direction'];
  state: RtcCallView['state'];
  held: boolean;
  inviteSent: boolean;
  media: RtcCallView['media'];
  localSdp: string | null;
  browserSdp: string | null;
}

class RpcFailure extends Error {
  constructor(
    readonly body: RpcErrorBody,
    readonly closeAfter = false,
  ) {
    super(body.message);
    this.name = 'RpcFailure';
  }
}

const BYE_CAUSES: Record<HangupCause, ByeCause> = {
  normal_clearing: { cause: 'NORMAL_CLEARING', causeCode: 16 },
  originator_cancel: { cause: 'ORIGINATOR_CANCEL', causeCode: 487 },
  timeout: { cause: 'NO_ANSWER', causeCode: 19 },
  time_limit: { cause: 'ALLOTTED_TIMEOUT', causeCode: 602 },
  user_busy: { cause: 'USER_BUSY', causeCode: 17 },
  not_found: { cause: 'UNALLOCATED_NUMBER', causeCode: 1 },
  no_answer: { cause: 'NO_ANSWER', causeCode: 19 },
  call_rejected: { cause: 'CALL_REJECTED', causeCode: 21 },
  unspecified: { cause: 'NORMAL_UNSPECIFIED', causeCode: 31 },
};

const DTMF = /[0-9A-D*#]/g;

/**
 * One browser on the `/rtc` WebSocket. After a login it is an agent device registered under the
 * credential's sip_username: network calls become `telnyx_rtc.*` messages, and the browser's
 * messages become DeviceNetwork actions on the call's leg.
 */
export class RtcSession implements PhoneDevice {
  readonly kind = 'webrtc';
  private user?: { sipUsername: string; credentialId: string };
  private sessid?: string;
  private registered = false;
  private nextRequestId = 1;
  private readonly calls = new Map<string, RtcCall>();
  private log: SimLogger;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: RtcSessionDeps,
  ) {
    this.log = deps.logger.child({ component: 'rtc' });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (!isBinary) this.onMessage(rawText(data));
    });
    ws.on('close', () => this.onClose());
    ws.on('error', (err: Error) => this.log.warn({ err }, 'rtc socket error'));
  }

  get sipUsername(): string {
    return this.user?.sipUsername ?? '';
  }

  /** Telnyx rings a WebRTC client whatever it is doing; the SDK handles several calls. */
  isBusy(): boolean {
    return false;
  }

  snapshot(): RtcSessionView {
    return {
      sessid: this.sessid ?? null,
      sipUsername: this.user?.sipUsername ?? null,
      registered: this.registered,
      calls: [...this.calls.values()].map((c) => this.view(c)),
    };
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  // ---------------------------------------------------------------- PhoneDevice (the network acts)

  ring(call: DeviceCall): void {
    const rc: RtcCall = {
      callID: randomUUID(),
      call,
      direction: 'inbound',
      state: 'ringing',
      held: false,
      inviteSent: false,
      media: null,
      localSdp: null,
      browserSdp: null,
    };
    this.calls.set(rc.callID, rc);
    this.sendInvite(rc).catch((err: unknown) => this.log.error({ err, callID: rc.callID }, 'rtc invite failed'));
  }

  cancelled(call: DeviceCall, _cause: HangupCause): void {
    const rc = this.drop(call.callControlId);
    if (rc?.inviteSent) this.request(Method.bye, { callID: rc.callID, ...BYE_CAUSES.originator_cancel });
  }

  connected(call: DeviceCall): void {
    const rc = this.find(call.callControlId);
    if (!rc || rc.state !== 'dialing') return;
    rc.state = 'active';
    this.sendAnswer(rc).catch((err: unknown) => this.log.error({ err, callID: rc.callID }, 'rtc answer failed'));
  }

  ended(call: DeviceCall, cause: HangupCause): void {
    const rc = this.drop(call.callControlId);
    if (rc && (rc.inviteSent || rc.direction === 'outbound')) this.request(Method.bye, { callID: rc.callID, ...BYE_CAUSES[cause] });
  }

  unregistered(): void {
    this.registered = false;
  }

  // ---------------------------------------------------------------- the browser acts

  private onMessage(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.log.warn({ text: text.slice(0, 200) }, 'rtc message is not JSON');
      return;
    }
    const parsed = IncomingSchema.safeParse(json);
    if (!parsed.success) {
      this.log.warn({ text: text.slice(0, 200) }, 'rtc message is not a JSON-RPC request or response');
      return;
    }
    const message = parsed.data;
    if (!('method' in message)) {
      if (message.error !== undefined) this.log.warn({ id: message.id, error: message.error }, 'rtc client refused a request');
      return;
    }
    void this.dispatch(message.id, message.method, message.params ?? {});
  }

  private async dispatch(id: JsonRpcId, method: string, params: Record<string, unknown>): Promise<void> {
    if (method !== Method.login && !this.user) {
      this.replyError(id, RpcErrors.authenticationRequired);
      return;
    }
    try {
      const result = await this.handle(method, params);
      this.reply(id, result);
      if (method === Method.login) this.request(Method.clientReady, {});
    } catch (err) {
      if (err instanceof RpcFailure) {
        this.replyError(id, err.body);
        if (err.closeAfter) this.ws.close(1008, err.body.message);
        return;
      }
      this.log.error({ err, method }, 'rtc request failed');
      this.replyError(id, { code: -32603, message: 'Internal error' });
    }
  }

  private async handle(method: string, params: Record<string, unknown>): Promise<unknown> {
    switch (method) {
      case Method.login:
        return this.login(params);
      case Method.gatewayState:
        return { params: { state: 'REGED' } };
      case Method.ping:
        return { message: 'PONG', sessid: this.sessid };
      case Method.invite:
        return this.outboundInvite(params);
      case Method.answer:
        return this.answer(params);
      case Method.bye:
        return this.bye(params);
      case Method.modify:
        return this.modify(params);
      case Method.info:
        return this.info(params);
      case Method.candidate:
      case Method.endOfCandidates:
      case Method.subscribe:
      case Method.unsubscribe:
        return { message: 'OK', sessid: this.sessid };
      default:
        throw new RpcFailure(RpcErrors.methodNotFound);
    }
  }

  private login(params: Record<string, unknown>): unknown {
    const p = parse(LoginParamsSchema, params);
    const identity = this.authenticate(p);
    if (!identity) {
      this.log.info({ method: p.login_token ? 'login_token' : 'login' }, 'rtc login refused');
      throw new RpcFailure(RpcErrors.authenticationFailure, true);
    }
    if (this.user && this.user.sipUsername !== identity.sipUsername && this.registered) {
      this.registered = false;
      this.deps.unregister(this);
    }
    this.user = identity;
    this.sessid ??= p.sessid ?? randomUUID();
    this.log = this.deps.logger.child({ component: 'rtc', sipUsername: identity.sipUsername, sessid: this.sessid });
    if (!this.registered) {
      this.deps.register(this);
      this.registered = true;
    }
    this.log.info('rtc client logged in and registered');
    return { message: 'logged in', sessid: this.sessid };
  }

  private authenticate(p: z.output<typeof LoginParamsSchema>): { sipUsername: string; credentialId: string } | undefined {
    const { credentials } = this.deps;
    if (p.login_token) {
      const claims = credentials.verifyToken(p.login_token);
      return claims ? { sipUsername: claims.sip_username, credentialId: claims.sub } : undefined;
    }
    if (p.login && p.passwd !== undefined) {
      const credential = credentials.list({ sip_username: p.login }).find((c) => !c.expired && c.sip_password === p.passwd);
      return credential ? { sipUsername: credential.sip_username, credentialId: credential.id } : undefined;
    }
    return undefined;
  }

  /** The SDK's newCall: a parked outgoing leg on the credential connection, as with Park Outbound Calls. */
  private outboundInvite(params: Record<string, unknown>): unknown {
    const p = parse(InviteParamsSchema, params);
    const dp = p.dialogParams;
    const to = dp.destination_number?.trim();
    if (!to) throw new RpcFailure(RpcErrors.invalidParams);
    if (!this.calls.has(dp.callID)) {
      const call = this.deps.network.dial(this, to, { customHeaders: dp.custom_headers, callerIdName: dp.caller_id_name || undefined });
      this.calls.set(dp.callID, {
        callID: dp.callID,
        call,
        direction: 'outbound',
        state: 'dialing',
        held: false,
        inviteSent: false,
        media: null,
        localSdp: null,
        browserSdp: p.sdp,
      });
      this.log.info({ callID: dp.callID, callControlId: call.callControlId, to }, 'rtc client placed a call');
    }
    return { callID: dp.callID, message: 'CALL CREATED', sessid: this.sessid };
  }

  private answer(params: Record<string, unknown>): unknown {
    const p = parse(AnswerParamsSchema, params);
    const rc = this.calls.get(p.dialogParams.callID);
    if (!rc || rc.direction !== 'inbound' || rc.state !== 'ringing') throw new RpcFailure(RpcErrors.callDoesNotExist);
    rc.browserSdp = p.sdp ?? null;
    // Set first: answering can end the leg at once (its linked call is gone), and ended() must see an answered call.
    rc.state = 'active';
    if (!this.deps.network.answer(rc.call.callControlId)) {
      this.drop(rc.call.callControlId);
      throw new RpcFailure(RpcErrors.callDoesNotExist);
    }
    this.log.info({ callID: rc.callID, callControlId: rc.call.callControlId }, 'rtc client answered');
    if (rc.browserSdp && this.calls.get(rc.callID) === rc) this.deps.media.browserAnswered(this.view(rc), rc.browserSdp);
    return { callID: rc.callID, message: 'CALL ANSWERED', sessid: this.sessid };
  }

  private bye(params: Record<string, unknown>): unknown {
    const p = parse(ByeParamsSchema, params);
    const rc = this.calls.get(p.dialogParams.callID);
    if (rc) {
      const id = rc.call.callControlId;
      const wasRinging = rc.state === 'ringing';
      this.drop(id);
      if (wasRinging) this.deps.network.reject(id, p.causeCode === 21 || p.cause === 'CALL_REJECTED' ? 'call_rejected' : 'user_busy');
      else this.deps.network.hangup(id);
      this.log.info({ callID: rc.callID, callControlId: id, cause: p.cause }, 'rtc client hung up');
    }
    return { callID: p.dialogParams.callID, message: 'CALL ENDED', sessid: this.sessid, cause: p.cause ?? 'NORMAL_CLEARING', causeCode: p.causeCode ?? 16 };
  }

  private async modify(params: Record<string, unknown>): Promise<unknown> {
    const p = parse(ModifyParamsSchema, params);
    const callID = p.dialogParams?.callID ?? p.callID ?? '';
    const rc = this.calls.get(callID);
    if (!rc || rc.state !== 'active') throw new RpcFailure(RpcErrors.callDoesNotExist);
    switch (p.action) {
      case 'hold':
      case 'unhold':
      case 'toggleHold':
        rc.held = p.action === 'toggleHold' ? !rc.held : p.action === 'hold';
        this.log.info({ callID, held: rc.held }, 'rtc client changed hold');
        return { callID, action: p.action, holdState: rc.held ? 'held' : 'active', sessid: this.sessid };
      case 'updateMedia': {
        if (!p.sdp) throw new RpcFailure(RpcErrors.invalidParams);
        rc.browserSdp = p.sdp;
        const { sdp, media } = await this.deps.media.answer(this.view(rc), p.sdp, 'updateMedia');
        rc.localSdp = sdp;
        rc.media = media;
        return { callID, action: p.action, sdp, sessid: this.sessid };
      }
      default:
        throw new RpcFailure(RpcErrors.invalidParams);
    }
  }

  private info(params: Record<string, unknown>): unknown {
    const p = parse(InfoParamsSchema, params);
    const rc = this.calls.get(p.dialogParams.callID);
    if (!rc) throw new RpcFailure(RpcErrors.callDoesNotExist);
    const digits = (p.dtmf ?? '').toUpperCase().match(DTMF)?.join('') ?? '';
    if (digits && rc.state === 'active') this.deps.network.sendDtmf(rc.call.callControlId, digits);
    return { message: 'SENT', sessid: this.sessid };
  }

  private onClose(): void {
    if (this.registered) {
      this.registered = false;
      this.deps.unregister(this);
    }
    // No reattach: the browser's answered and dialing calls end with its socket; a ringing one
    // rings on until the dial's timeout, like a device that vanished without a word.
    for (const rc of [...this.calls.values()]) {
      const id = rc.call.callControlId;
      const live = rc.state === 'active' || rc.state === 'dialing';
      this.drop(id);
      if (live) this.deps.network.hangup(id);
    }
    this.log.info('rtc socket closed');
    this.deps.onClose(this);
  }

  // ---------------------------------------------------------------- SDP

  private async sendInvite(rc: RtcCall): Promise<void> {
    const { sdp, media } = await this.deps.media.offer(this.view(rc));
    if (this.calls.get(rc.callID) !== rc || rc.state !== 'ringing') return;
    rc.localSdp = sdp;
    rc.media = media;
    rc.inviteSent = true;
    const c = rc.call;
    this.request(Method.invite, {
      callID: rc.callID,
      sdp,
      caller_id_name: c.callerIdName ?? c.from,
      caller_id_number: c.from,
      callee_id_name: this.sipUsername,
      callee_id_number: this.sipUsername,
      telnyx_call_control_id: c.callControlId,
      telnyx_session_id: c.callSessionId,
      telnyx_leg_id: c.callLegId,
      ...(c.clientState ? { client_state: c.clientState } : {}),
      dialogParams: { custom_headers: c.customHeaders },
    });
    this.log.info({ callID: rc.callID, callControlId: c.callControlId, media }, 'rtc invite sent');
  }

  private async sendAnswer(rc: RtcCall): Promise<void> {
    const { sdp, media } = await this.deps.media.answer(this.view(rc), rc.browserSdp ?? '', 'invite');
    if (this.calls.get(rc.callID) !== rc) return;
    rc.localSdp = sdp;
    rc.media = media;
    const c = rc.call;
    this.request(Method.answer, {
      callID: rc.callID,
      sdp,
      telnyx_call_control_id: c.callControlId,
      telnyx_session_id: c.callSessionId,
      telnyx_leg_id: c.callLegId,
    });
  }

  // ---------------------------------------------------------------- helpers

  private find(callControlId: string): RtcCall | undefined {
    for (const rc of this.calls.values()) if (rc.call.callControlId === callControlId) return rc;
    return undefined;
  }

  private drop(callControlId: string): RtcCall | undefined {
    const rc = this.find(callControlId);
    if (!rc) return undefined;
    this.calls.delete(rc.callID);
    rc.state = 'ended';
    return rc;
  }

  private view(rc: RtcCall): RtcCallView {
    return {
      callID: rc.callID,
      callControlId: rc.call.callControlId,
      callLegId: rc.call.callLegId,
      callSessionId: rc.call.callSessionId,
      sipUsername: this.sipUsername,
      direction: rc.direction,
      state: rc.state,
      held: rc.held,
      from: rc.call.from,
      to: rc.call.to,
      customHeaders: rc.call.customHeaders,
      media: rc.media,
      localSdp: rc.localSdp,
      browserSdp: rc.browserSdp,
    };
  }

  private send(message: Record<string, unknown>): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', ...message }));
  }

  private request(method: string, params: Record<string, unknown>): void {
    this.send({ id: this.nextRequestId++, method, params });
  }

  private reply(id: JsonRpcId, result: unknown): void {
    this.send({ id, result });
  }

  private replyError(id: JsonRpcId, error: RpcErrorBody): void {
    this.send({ id, error });
  }
}

function parse<S extends z.ZodType>(schema: S, params: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(params);
  if (!result.success) throw new RpcFailure(RpcErrors.invalidParams);
  return result.data;
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
