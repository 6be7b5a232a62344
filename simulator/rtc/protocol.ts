import { z } from 'zod';

/** The `telnyx_rtc` JSON-RPC 2.0 messages the Telnyx WebRTC SDK exchanges (docs/simulator.md, "The /rtc endpoint"). */

export type JsonRpcId = string | number;

export const Method = {
  login: 'login',
  clientReady: 'telnyx_rtc.clientReady',
  gatewayState: 'telnyx_rtc.gatewayState',
  ping: 'telnyx_rtc.ping',
  invite: 'telnyx_rtc.invite',
  answer: 'telnyx_rtc.answer',
  bye: 'telnyx_rtc.bye',
  modify: 'telnyx_rtc.modify',
  info: 'telnyx_rtc.info',
  candidate: 'telnyx_rtc.candidate',
  endOfCandidates: 'telnyx_rtc.endOfCandidates',
  subscribe: 'telnyx_rtc.subscribe',
  unsubscribe: 'telnyx_rtc.unsubscribe',
} as const;

export interface RpcErrorBody {
  code: number;
  message: string;
}

/**
 * -32000 is the SDK's "authentication required" code: it answers it by logging in again, so a
 * refused login must use another code or the SDK would loop.
 */
export const RpcErrors = {
  authenticationRequired: { code: -32000, message: 'Authentication Required' },
  authenticationFailure: { code: -32001, message: 'Authentication Failure' },
  callDoesNotExist: { code: -32002, message: 'CALL DOES NOT EXIST' },
  methodNotFound: { code: -32601, message: 'Method not found' },
  invalidParams: { code: -32602, message: 'Invalid params' },
} satisfies Record<string, RpcErrorBody>;

const Id = z.union([z.string(), z.number()]);

export const IncomingSchema = z.union([
  z.object({ id: Id, method: z.string(), params: z.record(z.string(), z.unknown()).optional() }),
  z.object({ id: Id, result: z.unknown().optional(), error: z.unknown().optional() }),
]);
export type Incoming = z.infer<typeof IncomingSchema>;

export const LoginParamsSchema = z.looseObject({
  login_token: z.string().min(1).optional(),
  login: z.string().min(1).optional(),
  passwd: z.string().optional(),
  sessid: z.string().min(1).optional(),
});

const HeaderSchema = z.object({ name: z.string().min(1), value: z.coerce.string() });

export const DialogParamsSchema = z.looseObject({
  callID: z.string().min(1),
  destination_number: z.string().optional(),
  caller_id_name: z.string().optional(),
  caller_id_number: z.string().optional(),
  custom_headers: z.array(HeaderSchema).optional(),
});

export const InviteParamsSchema = z.looseObject({ sdp: z.string().min(1), dialogParams: DialogParamsSchema });
export const AnswerParamsSchema = z.looseObject({ sdp: z.string().optional(), dialogParams: DialogParamsSchema });
export const ByeParamsSchema = z.looseObject({ cause: z.string().optional(), causeCode: z.number().optional(), dialogParams: DialogParamsSchema });
export const InfoParamsSchema = z.looseObject({ dtmf: z.coerce.string().optional(), dialogParams: DialogParamsSchema });
export const ModifyParamsSchema = z.looseObject({
  action: z.string(),
  sdp: z.string().optional(),
  callID: z.string().optional(),
  dialogParams: z.looseObject({ callID: z.string().optional() }).optional(),
});

/** Q.850-style causes the SDK shows as `call.cause` / `call.causeCode`. */
export interface ByeCause {
  cause: string;
  causeCode: number;
}
