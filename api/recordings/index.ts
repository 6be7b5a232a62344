import { z } from 'zod';
import { ValidationError } from '../core/errors';
import { FileRecordingStore } from './fileRecordingStore';
import type { RecordingStore } from './recordingStore';
import { gridFsRecordingStore, s3RecordingStore } from './unconfiguredRecordingStores';

export * from './recordingStore';
export { FileRecordingStore } from './fileRecordingStore';

const RecordingEnv = z.object({
  CALLSTREAM_RECORDING_STORE: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['file', 'gridfs', 's3']).default('file')),
  CALLSTREAM_DATA_DIR: z.preprocess((v) => (v === '' ? undefined : v), z.string().default('./data')),
});

/** The recording store the environment asks for: files under CALLSTREAM_DATA_DIR/recordings by default. */
export const createRecordingStore = (env: NodeJS.ProcessEnv = process.env): RecordingStore => {
  const parsed = RecordingEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  switch (parsed.data.CALLSTREAM_RECORDING_STORE) {
    case 'gridfs':
      return gridFsRecordingStore();
    case 's3':
      return s3RecordingStore();
    default:
      return new FileRecordingStore({ dataDir: parsed.data.CALLSTREAM_DATA_DIR });
  }
};
