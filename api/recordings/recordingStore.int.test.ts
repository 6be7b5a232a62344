import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { NotFoundError, ValidationError } from '../core/errors';
import { createRecordingStore, FileRecordingStore, RecordingStoreNotConfiguredError } from './index';

describe('the file recording store', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callstream-recordings-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const audio = (bytes: number, fill: number) => Readable.from([Buffer.alloc(bytes, fill)]);

  it('stores a recording under the data directory and opens it by its location; a retried download replaces it', async () => {
    const store = new FileRecordingStore({ dataDir: dir });
    const first = await store.put({ callId: 'call-1', recordingId: 'rec-1', kind: 'call', body: audio(1000, 1), contentType: 'audio/wav; charset=binary', extension: 'wav' });
    expect(first).toEqual({ location: 'file:call-1/rec-1.wav', contentType: 'audio/wav', sizeBytes: 1000 });
    const again = await store.put({ callId: 'call-1', recordingId: 'rec-1', kind: 'call', body: audio(500, 2), contentType: null, extension: 'wav' });
    expect(again.sizeBytes).toBe(500);
    const opened = await store.open(again.location);
    expect(opened.sizeBytes).toBe(500);
    expect((await buffer(opened.body)).every((b) => b === 2)).toBe(true);
  });

  it('keeps ids from escaping the store, and says when a recording is not there', async () => {
    const store = new FileRecordingStore({ dataDir: dir });
    await expect(store.put({ callId: '..', recordingId: 'x', kind: 'call', body: audio(1, 0), contentType: null, extension: 'wav' })).rejects.toBeInstanceOf(ValidationError);
    await expect(store.open('file:../../etc/passwd')).rejects.toBeInstanceOf(ValidationError);
    await expect(store.open('file:call-9/none.wav')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('is the default; GridFS and S3 are selectable but not configured in this build', async () => {
    expect(createRecordingStore({ CALLSTREAM_DATA_DIR: dir })).toBeInstanceOf(FileRecordingStore);
    const gridfs = createRecordingStore({ CALLSTREAM_RECORDING_STORE: 'gridfs' });
    await expect(gridfs.put({ callId: 'c', recordingId: 'r', kind: 'call', body: audio(1, 0), contentType: null, extension: 'wav' })).rejects.toBeInstanceOf(RecordingStoreNotConfiguredError);
    await expect(createRecordingStore({ CALLSTREAM_RECORDING_STORE: 's3' }).open('s3:x')).rejects.toBeInstanceOf(RecordingStoreNotConfiguredError);
    expect(() => createRecordingStore({ CALLSTREAM_RECORDING_STORE: 'tape' })).toThrow(/CALLSTREAM_RECORDING_STORE/);
  });
});
