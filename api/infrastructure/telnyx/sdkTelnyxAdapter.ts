import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import Telnyx from 'telnyx';
import type { ActionBridgeResponse, ActionSwitchSupervisorRoleParams, ActionUpdateClientStateParams } from 'telnyx/resources/calls/actions';
import { TelnyxCommandError, UnavailableError, ValidationError } from '../../core/errors';
import { rootLogger, type Logger } from '../../core/logger';
import type { TelnyxConfig } from './config';
import { TelnyxNotFoundError, mapTelnyxError } from './errors';
import type {
  AnswerParams,
  BridgeParams,
  CallCommand,
  CallStatus,
  CommandResult,
  CreateCredentialParams,
  CredentialFilter,
  DialParams,
  DialResult,
  EnqueueParams,
  GatherParams,
  GatherStopParams,
  GatherUsingSpeakParams,
  HangupParams,
  LeaveQueueParams,
  PlaybackStartParams,
  PlaybackStopParams,
  Queue,
  QueueCall,
  RecordPauseParams,
  RecordResumeParams,
  RecordStartParams,
  RecordStopParams,
  RecordingDownload,
  RecordingStream,
  RejectParams,
  SendDtmfParams,
  SpeakParams,
  SwitchSupervisorRoleParams,
  TelephonyCredential,
  TelnyxPort,
  TranscriptionStartParams,
  TranscriptionStopParams,
  TransferParams,
  UpdateClientStateParams,
  UpdateCredentialParams,
} from './telnyx';

type CommandResponse = { data?: { result?: string; recording_id?: string } };

/**
 * The Telnyx port on the official `telnyx` SDK (v7). The SDK retries connection errors, 408,
 * 409, 429 and 5xx on its own; every command carries the caller's command_id so a retried
 * POST that Telnyx did execute is ignored rather than run twice.
 */
export class SdkTelnyxAdapter implements TelnyxPort {
  readonly client: Telnyx;
  private readonly logger: Logger;

  constructor(
    private readonly config: TelnyxConfig,
    options: { logger?: Logger; fetch?: typeof fetch } = {},
  ) {
    this.client = new Telnyx({
      apiKey: config.apiKey,
      publicKey: config.publicKey,
      baseURL: config.baseURL,
      maxRetries: config.maxRetries,
      timeout: config.timeoutMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.logger = options.logger ?? rootLogger.child({ component: 'telnyx' });
  }

  // ---------------------------------------------------------------- call commands

  answer(id: string, params: AnswerParams, commandId: string): Promise<CommandResult> {
    return this.run('answer', id, commandId, () => this.client.calls.actions.answer(id, { ...params, command_id: commandId }));
  }

  reject(id: string, params: RejectParams, commandId: string): Promise<CommandResult> {
    return this.run('reject', id, commandId, () => this.client.calls.actions.reject(id, { ...params, command_id: commandId }));
  }

  hangup(id: string, params: HangupParams, commandId: string): Promise<CommandResult> {
    return this.run('hangup', id, commandId, () => this.client.calls.actions.hangup(id, { ...params, command_id: commandId }));
  }

  speak(id: string, params: SpeakParams, commandId: string): Promise<CommandResult> {
    return this.run('speak', id, commandId, () => this.client.calls.actions.speak(id, { ...params, command_id: commandId }));
  }

  gatherUsingSpeak(id: string, params: GatherUsingSpeakParams, commandId: string): Promise<CommandResult> {
    return this.run('gather_using_speak', id, commandId, () => this.client.calls.actions.gatherUsingSpeak(id, { ...params, command_id: commandId }));
  }

  gather(id: string, params: GatherParams, commandId: string): Promise<CommandResult> {
    return this.run('gather', id, commandId, () => this.client.calls.actions.gather(id, { ...params, command_id: commandId }));
  }

  gatherStop(id: string, params: GatherStopParams, commandId: string): Promise<CommandResult> {
    return this.run('gather_stop', id, commandId, () => this.client.calls.actions.stopGather(id, { ...params, command_id: commandId }));
  }

  playbackStart(id: string, params: PlaybackStartParams, commandId: string): Promise<CommandResult> {
    return this.run('playback_start', id, commandId, () => this.client.calls.actions.startPlayback(id, { ...params, command_id: commandId }));
  }

  playbackStop(id: string, params: PlaybackStopParams, commandId: string): Promise<CommandResult> {
    return this.run('playback_stop', id, commandId, () => this.client.calls.actions.stopPlayback(id, { ...params, command_id: commandId }));
  }

  enqueue(id: string, params: EnqueueParams, commandId: string): Promise<CommandResult> {
    return this.run('enqueue', id, commandId, () => this.client.calls.actions.enqueue(id, { ...params, command_id: commandId }));
  }

  leaveQueue(id: string, params: LeaveQueueParams, commandId: string): Promise<CommandResult> {
    return this.run('leave_queue', id, commandId, () => this.client.calls.actions.leaveQueue(id, { ...params, command_id: commandId }));
  }

  bridge(id: string, params: BridgeParams, commandId: string): Promise<CommandResult> {
    if (params.queue !== undefined) {
      // The SDK's bridge type requires call_control_id, which Telnyx forbids together with `queue`:
      // the SDK's generic POST is the documented way to bridge with a queue.
      const { queue, ...rest } = params;
      return this.run('bridge', id, commandId, () =>
        this.client.post<ActionBridgeResponse>(`/calls/${encodeURIComponent(id)}/actions/bridge`, { body: { ...rest, queue, command_id: commandId } }),
      );
    }
    const { call_control_id: other, ...rest } = params;
    return this.run('bridge', id, commandId, () =>
      this.client.calls.actions.bridge(id, { ...rest, call_control_id_to_bridge_with: other, command_id: commandId }),
    );
  }

  transfer(id: string, params: TransferParams, commandId: string): Promise<CommandResult> {
    return this.run('transfer', id, commandId, () => this.client.calls.actions.transfer(id, { ...params, command_id: commandId }));
  }

  recordStart(id: string, params: RecordStartParams, commandId: string): Promise<CommandResult> {
    return this.run('record_start', id, commandId, () => this.client.calls.actions.startRecording(id, { ...params, command_id: commandId }));
  }

  recordStop(id: string, params: RecordStopParams, commandId: string): Promise<CommandResult> {
    return this.run('record_stop', id, commandId, () => this.client.calls.actions.stopRecording(id, { ...params, command_id: commandId }));
  }

  recordPause(id: string, params: RecordPauseParams, commandId: string): Promise<CommandResult> {
    return this.run('record_pause', id, commandId, () => this.client.calls.actions.pauseRecording(id, { ...params, command_id: commandId }));
  }

  recordResume(id: string, params: RecordResumeParams, commandId: string): Promise<CommandResult> {
    return this.run('record_resume', id, commandId, () => this.client.calls.actions.resumeRecording(id, { ...params, command_id: commandId }));
  }

  transcriptionStart(id: string, params: TranscriptionStartParams, commandId: string): Promise<CommandResult> {
    return this.run('transcription_start', id, commandId, () => this.client.calls.actions.startTranscription(id, { ...params, command_id: commandId }));
  }

  transcriptionStop(id: string, params: TranscriptionStopParams, commandId: string): Promise<CommandResult> {
    return this.run('transcription_stop', id, commandId, () => this.client.calls.actions.stopTranscription(id, { ...params, command_id: commandId }));
  }

  sendDtmf(id: string, params: SendDtmfParams, commandId: string): Promise<CommandResult> {
    return this.run('send_dtmf', id, commandId, () => this.client.calls.actions.sendDtmf(id, { ...params, command_id: commandId }));
  }

  switchSupervisorRole(id: string, params: SwitchSupervisorRoleParams, commandId: string): Promise<CommandResult> {
    // The SDK type lists only `role`; Telnyx accepts command_id on every command, and a widened
    // body (not an object literal) passes it through the SDK unchanged.
    const body: ActionSwitchSupervisorRoleParams & { command_id: string } = { ...params, command_id: commandId };
    return this.run('switch_supervisor_role', id, commandId, () => this.client.calls.actions.switchSupervisorRole(id, body));
  }

  updateClientState(id: string, params: UpdateClientStateParams, commandId: string): Promise<CommandResult> {
    const body: ActionUpdateClientStateParams & { command_id: string } = { ...params, command_id: commandId };
    return this.run('client_state_update', id, commandId, () => this.client.calls.actions.updateClientState(id, body));
  }

  command(id: string, command: CallCommand, commandId: string): Promise<CommandResult> {
    switch (command.action) {
      case 'answer':
        return this.answer(id, command.params, commandId);
      case 'reject':
        return this.reject(id, command.params, commandId);
      case 'hangup':
        return this.hangup(id, command.params, commandId);
      case 'speak':
        return this.speak(id, command.params, commandId);
      case 'gather_using_speak':
        return this.gatherUsingSpeak(id, command.params, commandId);
      case 'gather':
        return this.gather(id, command.params, commandId);
      case 'gather_stop':
        return this.gatherStop(id, command.params, commandId);
      case 'playback_start':
        return this.playbackStart(id, command.params, commandId);
      case 'playback_stop':
        return this.playbackStop(id, command.params, commandId);
      case 'enqueue':
        return this.enqueue(id, command.params, commandId);
      case 'leave_queue':
        return this.leaveQueue(id, command.params, commandId);
      case 'bridge':
        return this.bridge(id, command.params, commandId);
      case 'transfer':
        return this.transfer(id, command.params, commandId);
      case 'record_start':
        return this.recordStart(id, command.params, commandId);
      case 'record_stop':
        return this.recordStop(id, command.params, commandId);
      case 'record_pause':
        return this.recordPause(id, command.params, commandId);
      case 'record_resume':
        return this.recordResume(id, command.params, commandId);
      case 'transcription_start':
        return this.transcriptionStart(id, command.params, commandId);
      case 'transcription_stop':
        return this.transcriptionStop(id, command.params, commandId);
      case 'send_dtmf':
        return this.sendDtmf(id, command.params, commandId);
      case 'switch_supervisor_role':
        return this.switchSupervisorRole(id, command.params, commandId);
      case 'client_state_update':
        return this.updateClientState(id, command.params, commandId);
      default: {
        const never: never = command;
        return Promise.reject(new ValidationError(`Unknown Telnyx call command ${JSON.stringify(never)}`));
      }
    }
  }

  // ---------------------------------------------------------------- dial, status, queues

  async dial(params: DialParams, commandId: string): Promise<DialResult> {
    const connectionId = params.connection_id ?? this.config.connectionId;
    if (!connectionId) throw new ValidationError('dial needs a connection_id: set TELNYX_CONNECTION_ID');
    const to = Array.isArray(params.to) ? params.to.join(',') : params.to;
    const { data } = await this.call('dial', undefined, () => this.client.calls.dial({ ...params, connection_id: connectionId, command_id: commandId }));
    if (!data) throw new TelnyxCommandError('Telnyx answered dial without data', { operation: 'dial' });
    this.logger.debug({ action: 'dial', to, commandId, callControlId: data.call_control_id }, 'telnyx command');
    return {
      call_control_id: data.call_control_id,
      call_leg_id: data.call_leg_id,
      call_session_id: data.call_session_id,
      is_alive: data.is_alive,
      ...(data.client_state !== undefined ? { client_state: data.client_state } : {}),
    };
  }

  async retrieveCall(id: string): Promise<CallStatus> {
    const { data } = await this.call('retrieve_call', id, () => this.client.calls.retrieveStatus(id));
    if (!data) throw new TelnyxCommandError('Telnyx answered the call status without data', { operation: 'retrieve_call', callControlId: id });
    return data;
  }

  async retrieveQueue(queueName: string): Promise<Queue> {
    const { data } = await this.call('retrieve_queue', undefined, () => this.client.queues.retrieve(queueName));
    if (!data) throw new TelnyxNotFoundError(`Telnyx has no queue '${queueName}'`, { operation: 'retrieve_queue' });
    return data;
  }

  listQueueCalls(queueName: string): Promise<QueueCall[]> {
    return this.call('list_queue_calls', undefined, async () => {
      const calls: QueueCall[] = [];
      for await (const c of this.client.queues.calls.list(queueName)) calls.push(c);
      return calls;
    });
  }

  // ---------------------------------------------------------------- telephony credentials

  async createCredential(params: CreateCredentialParams): Promise<TelephonyCredential> {
    const connectionId = params.connection_id ?? this.config.credentialConnectionId;
    if (!connectionId) throw new ValidationError('creating a telephony credential needs a connection_id: set TELNYX_CREDENTIAL_CONNECTION_ID');
    const { data } = await this.call('create_credential', undefined, () =>
      this.client.telephonyCredentials.create({ ...params, connection_id: connectionId }),
    );
    return this.credentialData('create_credential', data);
  }

  listCredentials(filter?: CredentialFilter): Promise<TelephonyCredential[]> {
    return this.call('list_credentials', undefined, async () => {
      const out: TelephonyCredential[] = [];
      for await (const c of this.client.telephonyCredentials.list(filter ? { filter } : {})) out.push(c);
      return out;
    });
  }

  async retrieveCredential(id: string): Promise<TelephonyCredential> {
    const { data } = await this.call('retrieve_credential', undefined, () => this.client.telephonyCredentials.retrieve(id));
    return this.credentialData('retrieve_credential', data);
  }

  async updateCredential(id: string, params: UpdateCredentialParams): Promise<TelephonyCredential> {
    const { data } = await this.call('update_credential', undefined, () => this.client.telephonyCredentials.update(id, params));
    return this.credentialData('update_credential', data);
  }

  async deleteCredential(id: string): Promise<TelephonyCredential> {
    const { data } = await this.call('delete_credential', undefined, () => this.client.telephonyCredentials.delete(id));
    return this.credentialData('delete_credential', data);
  }

  createCredentialToken(id: string): Promise<string> {
    return this.call('create_credential_token', undefined, () => this.client.telephonyCredentials.createToken(id));
  }

  // ---------------------------------------------------------------- recordings

  async openRecording(url: string): Promise<RecordingStream> {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.config.timeoutMs) });
    } catch (err) {
      throw new UnavailableError(`Could not fetch the recording at ${redact(url)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      const details = { operation: 'download_recording', status: res.status };
      if (res.status === 404) throw new TelnyxNotFoundError(`No recording at ${redact(url)}`, details);
      if (res.status >= 500) throw new UnavailableError(`The recording store answered ${res.status} for ${redact(url)}`);
      throw new TelnyxCommandError(`The recording URL was refused (${res.status}); signed URLs expire after 10 minutes`, details);
    }
    const length = res.headers.get('content-length');
    return {
      stream: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>),
      contentType: res.headers.get('content-type'),
      contentLength: length === null ? null : Number(length),
    };
  }

  async downloadRecording(url: string, destinationPath: string): Promise<RecordingDownload> {
    const { stream, contentType } = await this.openRecording(url);
    await mkdir(dirname(destinationPath), { recursive: true });
    const partial = `${destinationPath}.partial`;
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    try {
      await pipeline(stream, createWriteStream(partial));
      await rename(partial, destinationPath);
    } catch (err) {
      await rm(partial, { force: true });
      throw new UnavailableError(`Downloading the recording at ${redact(url)} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return { path: destinationPath, bytes, contentType };
  }

  // ---------------------------------------------------------------- helpers

  private async run(action: string, callControlId: string, commandId: string, send: () => Promise<CommandResponse>): Promise<CommandResult> {
    const response = await this.call(action, callControlId, send);
    this.logger.debug({ action, callControlId, commandId }, 'telnyx command');
    const result: CommandResult = { result: response.data?.result ?? 'ok' };
    if (response.data?.recording_id) result.recording_id = response.data.recording_id;
    return result;
  }

  private async call<T>(operation: string, callControlId: string | undefined, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      const mapped = mapTelnyxError(err, { operation, callControlId });
      this.logger.debug({ operation, callControlId, err: mapped.message }, 'telnyx request failed');
      throw mapped;
    }
  }

  private credentialData(operation: string, data: TelephonyCredential | undefined): TelephonyCredential {
    if (!data) throw new TelnyxCommandError(`Telnyx answered ${operation} without data`, { operation });
    return data;
  }
}

/** A signed URL without its query string, for logs and messages. */
function redact(url: string): string {
  return url.split('?')[0]!;
}
