import type { Readable } from 'node:stream';
import { CallstreamError } from '../core/errors';

/**
 * Where call recordings and voicemails are kept once downloaded. Telnyx's signed recording URLs expire
 * after 10 minutes, so the reactor copies every recording here as soon as `call.recording.saved`
 * arrives and records the returned `location` on the call (`RecordingStored`).
 */
export interface StoredRecording {
  /** Adapter-qualified address of the object, e.g. `file:<callId>/<recordingId>.wav`. */
  location: string;
  contentType: string;
  sizeBytes: number;
}

export interface RecordingToStore {
  callId: string;
  recordingId: string;
  kind: 'call' | 'voicemail';
  /** The audio; consumed by `put`. */
  body: Readable;
  /** As sent by the source; the adapter falls back to the extension. */
  contentType: string | null;
  /** `wav` or `mp3`. */
  extension: string;
}

export interface OpenedRecording {
  body: Readable;
  contentType: string;
  sizeBytes: number;
}

export interface RecordingStore {
  /** Stores the recording, replacing an earlier copy of the same recording (a retried download). */
  put(recording: RecordingToStore): Promise<StoredRecording>;
  /** Opens a stored recording by its location; NotFoundError when it is not there. */
  open(location: string): Promise<OpenedRecording>;
  close(): Promise<void>;
}

/** The adapter is selected but cannot work: missing settings or a store that is not implemented here. */
export class RecordingStoreNotConfiguredError extends CallstreamError {
  constructor(message: string) {
    super('UNAVAILABLE', message);
  }
}

export const contentTypeFor = (extension: string, given: string | null): string => {
  if (given && /^audio\//.test(given)) return given.split(';')[0].trim();
  return extension === 'mp3' ? 'audio/mpeg' : 'audio/wav';
};
