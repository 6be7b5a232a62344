import { z } from 'zod';

/**
 * Request bodies of the Call Control commands the simulator executes, validated like Telnyx:
 * required parameters and value ranges are checked, unknown parameters are accepted and ignored.
 */
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be a valid Base-64 encoded string');
const common = {
  client_state: base64.optional(),
  command_id: z.string().min(1).max(256).optional(),
};
const sipHeaders = z.array(z.object({ name: z.string().min(1), value: z.string() }));
const loop = z.union([z.number().int().min(1).max(100), z.literal('infinity'), z.string().regex(/^\d+$/)]);
const digitsSet = z.string().regex(/^[0-9A-D*#]*$/, 'may only hold 0-9, A-D, * and #');

export const DialSchema = z.looseObject({
  connection_id: z.string().min(1),
  to: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(10)]),
  from: z.string().min(1),
  from_display_name: z.string().max(128).optional(),
  link_to: z.string().min(1).optional(),
  bridge_intent: z.boolean().optional(),
  bridge_on_answer: z.boolean().optional(),
  park_after_unbridge: z.literal('self').optional(),
  prevent_double_bridge: z.boolean().optional(),
  supervise_call_control_id: z.string().min(1).optional(),
  supervisor_role: z.enum(['barge', 'whisper', 'monitor']).optional(),
  timeout_secs: z.number().int().min(5).max(600).optional(),
  time_limit_secs: z.number().int().min(30).max(14_400).optional(),
  custom_headers: sipHeaders.optional(),
  webhook_url: z.url().optional(),
  record: z.literal('record-from-answer').optional(),
  record_channels: z.enum(['single', 'dual']).optional(),
  record_format: z.enum(['wav', 'mp3']).optional(),
  record_max_length: z.number().int().min(0).max(43_200).optional(),
  ...common,
});
export type DialParams = z.infer<typeof DialSchema>;

export const ActionSchemas = {
  answer: z.looseObject({
    ...common,
    custom_headers: sipHeaders.optional(),
    record: z.literal('record-from-answer').optional(),
    record_channels: z.enum(['single', 'dual']).optional(),
    record_format: z.enum(['wav', 'mp3']).optional(),
    record_max_length: z.number().int().min(0).max(14_400).optional(),
  }),
  reject: z.looseObject({ ...common, cause: z.enum(['CALL_REJECTED', 'USER_BUSY']) }),
  hangup: z.looseObject({ ...common, custom_headers: sipHeaders.optional() }),
  speak: z.looseObject({
    ...common,
    payload: z.string().min(1).max(3_000),
    voice: z.string().min(1),
    language: z.string().optional(),
    payload_type: z.enum(['text', 'ssml']).optional(),
    service_level: z.enum(['basic', 'premium']).optional(),
    loop: loop.optional(),
    stop: z.string().optional(),
    target_legs: z.enum(['self', 'opposite', 'both']).optional(),
  }),
  gather: z.looseObject({
    ...common,
    minimum_digits: z.number().int().min(1).max(128).optional(),
    maximum_digits: z.number().int().min(1).max(128).optional(),
    timeout_millis: z.number().int().min(1).optional(),
    initial_timeout_millis: z.number().int().min(1).optional(),
    inter_digit_timeout_millis: z.number().int().min(1).optional(),
    valid_digits: digitsSet.min(1).optional(),
    terminating_digit: z.string().regex(/^[0-9A-D*#]?$/, 'must be one DTMF digit or empty').optional(),
    gather_id: z.string().optional(),
  }),
  gather_using_speak: z.looseObject({
    ...common,
    payload: z.string().min(1).max(3_000),
    voice: z.string().min(1),
    language: z.string().optional(),
    payload_type: z.enum(['text', 'ssml']).optional(),
    service_level: z.enum(['basic', 'premium']).optional(),
    invalid_payload: z.string().max(3_000).optional(),
    minimum_digits: z.number().int().min(1).max(128).optional(),
    maximum_digits: z.number().int().min(1).max(128).optional(),
    maximum_tries: z.number().int().min(1).max(10).optional(),
    timeout_millis: z.number().int().min(1).optional(),
    inter_digit_timeout_millis: z.number().int().min(1).optional(),
    valid_digits: digitsSet.min(1).optional(),
    terminating_digit: z.string().regex(/^[0-9A-D*#]?$/, 'must be one DTMF digit or empty').optional(),
  }),
  gather_stop: z.looseObject({ ...common }),
  playback_start: z
    .looseObject({
      ...common,
      audio_url: z.url().optional(),
      media_name: z.string().min(1).optional(),
      playback_content: z.string().min(1).optional(),
      audio_type: z.enum(['mp3', 'wav']).optional(),
      loop: loop.optional(),
      overlay: z.boolean().optional(),
      stop: z.string().optional(),
      target_legs: z.string().optional(),
      cache_audio: z.boolean().optional(),
    })
    .refine((b) => b.audio_url !== undefined || b.media_name !== undefined || b.playback_content !== undefined, {
      message: 'one of audio_url, media_name or playback_content is required',
      path: ['audio_url'],
    }),
  playback_stop: z.looseObject({ ...common, stop: z.enum(['all', 'current']).optional(), overlay: z.boolean().optional() }),
  enqueue: z.looseObject({
    ...common,
    queue_name: z.string().min(1).max(255),
    max_wait_time_secs: z.number().int().min(1).optional(),
    max_size: z.number().int().min(1).optional(),
    keep_after_hangup: z.boolean().optional(),
  }),
  leave_queue: z.looseObject({ ...common }),
  bridge: z
    .looseObject({
      ...common,
      call_control_id: z.string().min(1).optional(),
      queue: z.string().min(1).optional(),
      park_after_unbridge: z.literal('self').optional(),
      hold_after_unbridge: z.boolean().optional(),
      prevent_double_bridge: z.boolean().optional(),
      play_ringtone: z.boolean().optional(),
      mute_dtmf: z.enum(['none', 'both', 'self', 'opposite']).optional(),
      record: z.literal('record-from-answer').optional(),
      record_channels: z.enum(['single', 'dual']).optional(),
      record_format: z.enum(['wav', 'mp3']).optional(),
    })
    .refine((b) => (b.call_control_id === undefined) !== (b.queue === undefined), {
      message: 'exactly one of call_control_id or queue is required',
      path: ['call_control_id'],
    }),
  transfer: z.looseObject({
    ...common,
    to: z.string().min(1),
    from: z.string().min(1).optional(),
    from_display_name: z.string().max(128).optional(),
    timeout_secs: z.number().int().min(5).max(600).optional(),
    time_limit_secs: z.number().int().min(30).max(14_400).optional(),
    target_leg_client_state: base64.optional(),
    park_after_unbridge: z.literal('self').optional(),
    early_media: z.boolean().optional(),
    audio_url: z.url().optional(),
    media_name: z.string().optional(),
    custom_headers: sipHeaders.optional(),
    webhook_url: z.url().optional(),
  }),
  record_start: z.looseObject({
    ...common,
    format: z.enum(['wav', 'mp3']),
    channels: z.enum(['single', 'dual']),
    play_beep: z.boolean().optional(),
    max_length: z.number().int().min(0).max(14_400).optional(),
    timeout_secs: z.number().int().min(0).optional(),
    recording_track: z.enum(['both', 'inbound', 'outbound']).optional(),
    trim: z.literal('trim-silence').optional(),
    custom_file_name: z.string().max(40).optional(),
  }),
  record_stop: z.looseObject({ ...common, recording_id: z.string().optional() }),
  record_pause: z.looseObject({ ...common, recording_id: z.string().optional() }),
  record_resume: z.looseObject({ ...common, recording_id: z.string().optional() }),
  transcription_start: z.looseObject({
    ...common,
    transcription_engine: z.string().optional(),
    transcription_engine_config: z.looseObject({}).optional(),
    transcription_tracks: z.enum(['inbound', 'outbound', 'both']).optional(),
  }),
  transcription_stop: z.looseObject({ ...common }),
  send_dtmf: z.looseObject({
    ...common,
    digits: z.string().min(1).regex(/^[0-9A-D*#wW]+$/, 'may only hold 0-9, A-D, *, #, w and W'),
    duration_millis: z.number().int().min(100).max(500).optional(),
  }),
  switch_supervisor_role: z.looseObject({ ...common, role: z.enum(['barge', 'whisper', 'monitor']) }),
  client_state_update: z.looseObject({ command_id: common.command_id, client_state: base64.min(1) }),
} as const;

export type ActionName = keyof typeof ActionSchemas;
export type ActionParams<A extends ActionName> = z.infer<(typeof ActionSchemas)[A]>;
export const ACTION_NAMES = Object.keys(ActionSchemas) as ActionName[];
export const isActionName = (name: string): name is ActionName => Object.prototype.hasOwnProperty.call(ActionSchemas, name);
