import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError, UnavailableError, ValidationError } from '../core/errors';
import { contentTypeFor, type OpenedRecording, type RecordingStore, type RecordingToStore, type StoredRecording } from './recordingStore';

const SCHEME = 'file:';
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

const segment = (value: string, what: string): string => {
  const cleaned = value.replace(/[^A-Za-z0-9._:-]/g, '_');
  if (!SAFE_SEGMENT.test(cleaned) || cleaned.includes('..')) throw new ValidationError(`Invalid ${what} for a recording file: ${value}`);
  return cleaned;
};

/**
 * Recordings as files under `<dataDir>/recordings/<callId>/<recordingId>.<ext>`. A download is written
 * to a `.partial` file and renamed, so a reader never sees half a recording and a retried download
 * simply replaces the file.
 */
export class FileRecordingStore implements RecordingStore {
  readonly root: string;

  constructor(options: { dataDir: string }) {
    this.root = resolve(join(options.dataDir, 'recordings'));
  }

  async put(recording: RecordingToStore): Promise<StoredRecording> {
    const key = `${segment(recording.callId, 'call id')}/${segment(recording.recordingId, 'recording id')}.${segment(recording.extension, 'extension')}`;
    const path = this.pathOf(key);
    const partial = `${path}.partial`;
    let sizeBytes = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sizeBytes += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await mkdir(dirname(path), { recursive: true });
      await pipeline(recording.body, count, createWriteStream(partial));
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw new UnavailableError(`Could not store recording ${recording.recordingId}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return { location: `${SCHEME}${key}`, contentType: contentTypeFor(recording.extension, recording.contentType), sizeBytes };
  }

  async open(location: string): Promise<OpenedRecording> {
    if (!location.startsWith(SCHEME)) throw new ValidationError(`Not a file recording location: ${location}`);
    const key = location.slice(SCHEME.length);
    const path = this.pathOf(key);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      throw new NotFoundError(`No recording at ${location}`);
    }
    const extension = key.split('.').pop() ?? 'wav';
    return { body: createReadStream(path), contentType: contentTypeFor(extension, null), sizeBytes: size };
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new ValidationError(`Recording key escapes the store: ${key}`);
    return path;
  }
}
