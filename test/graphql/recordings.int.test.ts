import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SESSION_SECRET_FILE } from '../../api/auth/sessionSecret';
import { RecordingLinks } from '../../api/recordings/graphql/recordingLinks';
import type { RecordingView } from '../../projections/call-history/callHistoryView';
import { CALL_HISTORY_COLLECTIONS, CALL_HISTORY_PROJECTION } from '../../projections/call-history/callHistoryProjection';
import { errorCode, startHarness, type Harness } from './support/apiHarness';
import { callDoc, connectedCallDoc, ReadModelFixture } from './support/readModelDocs';

const URL_QUERY = `query($callId: ID!, $recordingId: ID!) { recordingUrl(callId: $callId, recordingId: $recordingId) { url expiresAt contentType } }`;

const AUDIO = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));

const recording = (recordingId: string, overrides: Partial<RecordingView> = {}): RecordingView => ({
  recordingId,
  kind: 'call',
  status: 'stored',
  startedAt: '2026-03-02T10:00:41.000Z',
  endedAt: '2026-03-02T10:02:00.000Z',
  durationSeconds: 79,
  channels: 'dual',
  location: null,
  contentType: 'audio/mpeg',
  sizeBytes: AUDIO.length,
  error: null,
  ...overrides,
});

describe('recording download links', () => {
  let h: Harness;
  let origin: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness();
    origin = new URL(h.url).origin;
    await h.createUser({ username: 'ann', roles: ['AGENT'], agentId: 'ann' });
    await h.createUser({ username: 'bob', roles: ['AGENT'], agentId: 'bob' });
    await h.createUser({ username: 'sue', roles: ['SUPERVISOR'] });
    await h.createUser({ username: 'ada', roles: ['ANALYST'] });
    for (const name of ['ann', 'bob', 'sue', 'ada']) tokens[name] = (await h.login(name)).accessToken;

    const store = h.server.services.recordings;
    const stored = await store.put({ callId: 'call-rec', recordingId: 'rec-1', kind: 'call', body: Readable.from([AUDIO]), contentType: 'audio/mpeg', extension: 'mp3' });
    const voicemail = await store.put({ callId: 'call-vm', recordingId: 'vm-1', kind: 'voicemail', body: Readable.from([AUDIO.subarray(0, 100)]), contentType: 'audio/mpeg', extension: 'mp3' });
    const fixture = new ReadModelFixture(h.readModels);
    await fixture.activate(CALL_HISTORY_PROJECTION);
    await fixture.write(
      CALL_HISTORY_PROJECTION,
      CALL_HISTORY_COLLECTIONS.calls,
      connectedCallDoc('call-rec', 'ann', { recordings: [recording('rec-1', { location: stored.location }), recording('rec-2', { status: 'requested' })] }),
      callDoc('call-vm', {
        status: 'ended',
        outcome: 'voicemail',
        voicemail: { reason: 'caller-choice', queueId: 'support', recordingId: 'vm-1', durationSeconds: 4, startedAt: '2026-03-02T11:00:00.000Z', recordedAt: '2026-03-02T11:00:05.000Z' },
        voicemailAt: '2026-03-02T11:00:05.000Z',
        recordings: [recording('vm-1', { kind: 'voicemail', location: voicemail.location, sizeBytes: 100 })],
      }),
    );
  });

  afterAll(async () => {
    await h.close();
  });

  const linkFor = async (user: string, callId: string, recordingId: string) => h.gql<{ recordingUrl: { url: string; expiresAt: string; contentType: string } }>(URL_QUERY, { callId, recordingId }, tokens[user]);

  it('gives the agent on the call a link that streams the recording', async () => {
    const res = await linkFor('ann', 'call-rec', 'rec-1');
    expect(res.errors).toBeUndefined();
    const link = res.data!.recordingUrl;
    expect(link.url).toMatch(/^\/recordings\/rec-1\?token=/);
    expect(Date.parse(link.expiresAt) - Date.now()).toBeLessThanOrEqual(300_000);
    const download = await fetch(`${origin}${link.url}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('audio/mpeg');
    expect(Buffer.from(await download.arrayBuffer()).equals(AUDIO)).toBe(true);
  });

  it('gives links to supervisors and analysts, and refuses an agent who was not on the call', async () => {
    expect((await linkFor('sue', 'call-rec', 'rec-1')).data?.recordingUrl.url).toMatch(/^\/recordings\/rec-1\?token=/);
    expect((await linkFor('ada', 'call-rec', 'rec-1')).data?.recordingUrl.url).toMatch(/^\/recordings\/rec-1\?token=/);
    expect(errorCode(await linkFor('bob', 'call-rec', 'rec-1'))).toBe('FORBIDDEN');
  });

  it('says when a recording is not stored yet or does not exist', async () => {
    expect(errorCode(await linkFor('sue', 'call-rec', 'rec-2'))).toBe('CONFLICT');
    expect(errorCode(await linkFor('sue', 'call-rec', 'rec-9'))).toBe('NOT_FOUND');
    expect(errorCode(await linkFor('sue', 'call-nope', 'rec-1'))).toBe('NOT_FOUND');
  });

  it('refuses a missing, forged, expired or misused link', async () => {
    const url = (await linkFor('ann', 'call-rec', 'rec-1')).data!.recordingUrl.url;
    const token = new URL(url, origin).searchParams.get('token')!;
    expect((await fetch(`${origin}/recordings/rec-1`)).status).toBe(401);
    expect((await fetch(`${origin}/recordings/rec-1?token=${token.slice(0, -4)}AAAA`)).status).toBe(401);
    expect((await fetch(`${origin}/recordings/rec-2?token=${token}`)).status).toBe(403);

    const secret = readFileSync(join(h.dir, SESSION_SECRET_FILE), 'utf8').trim();
    const past = new RecordingLinks({ secret, clock: () => new Date(Date.now() - 10 * 60_000) });
    const expired = await past.sign({ recordingId: 'rec-1', callId: 'call-rec', location: 'file:call-rec/rec-1.mp3', contentType: 'audio/mpeg', userId: 'x' });
    const refused = await fetch(`${origin}/recordings/rec-1?token=${expired.token}`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
  });

  it('lists voicemails with a playback link to supervisors', async () => {
    const res = await h.gql<{ voicemails: { nodes: Array<{ callId: string; recordingId: string; durationSeconds: number; playbackUrl: string }> } }>(
      `query { voicemails(first: 10) { nodes { callId recordingId durationSeconds playbackUrl } } }`,
      {},
      tokens.sue,
    );
    expect(res.errors).toBeUndefined();
    const [voicemail] = res.data!.voicemails.nodes;
    expect(voicemail).toMatchObject({ callId: 'call-vm', recordingId: 'vm-1', durationSeconds: 4 });
    const played = await fetch(`${origin}${voicemail.playbackUrl}`);
    expect(played.status).toBe(200);
    expect((await played.arrayBuffer()).byteLength).toBe(100);
  });
});
