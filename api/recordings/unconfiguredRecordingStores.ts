import { RecordingStoreNotConfiguredError, type OpenedRecording, type RecordingStore, type StoredRecording } from './recordingStore';

/**
 * Placeholders for the production recording stores named in the architecture (MongoDB GridFS, an
 * S3-compatible bucket). They are selectable so a deployment fails loudly and early instead of
 * silently keeping recordings on local disk; neither is implemented yet.
 */
class UnconfiguredRecordingStore implements RecordingStore {
  constructor(private readonly what: string) {}

  put(): Promise<StoredRecording> {
    return Promise.reject(new RecordingStoreNotConfiguredError(`The ${this.what} recording store is not configured in this build`));
  }

  open(): Promise<OpenedRecording> {
    return Promise.reject(new RecordingStoreNotConfiguredError(`The ${this.what} recording store is not configured in this build`));
  }

  async close(): Promise<void> {
    // Holds nothing.
  }
}

export const gridFsRecordingStore = (): RecordingStore => new UnconfiguredRecordingStore('MongoDB GridFS');
export const s3RecordingStore = (): RecordingStore => new UnconfiguredRecordingStore('S3');
