import { randomBytes, randomInt } from 'node:crypto';

/**
 * Placeholder SDP for calls without a real far end. The browser accepts it (setRemoteDescription
 * succeeds and the SDK goes active) but, with no candidates and a fingerprint no peer holds, ICE
 * never connects: such calls carry no media.
 */

const CRLF = '\r\n';

const ice = (): string[] => [
  `a=ice-ufrag:${randomBytes(6).toString('base64url').slice(0, 8)}`,
  `a=ice-pwd:${randomBytes(18).toString('base64url').slice(0, 24)}`,
];

const fingerprint = (): string =>
  `a=fingerprint:sha-256 ${[...randomBytes(32)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':')}`;

const origin = (): string => `o=- ${randomInt(1, 2 ** 47)} 2 IN IP4 127.0.0.1`;

/** An audio offer: opus, PCMU, PCMA and telephone-event, `a=setup:actpass`, no candidates. */
export function placeholderOffer(): string {
  return [
    'v=0',
    origin(),
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=msid-semantic: WMS',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 101',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    ...ice(),
    fingerprint(),
    'a=setup:actpass',
    'a=mid:0',
    'a=sendrecv',
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    '',
  ].join(CRLF);
}

interface OfferedMedia {
  kind: string;
  proto: string;
  payloads: string[];
  mid?: string;
  direction: string;
  rtpmaps: Map<string, string>;
  fmtps: Map<string, string>;
}

const AUDIO_CODECS = ['opus/48000/2', 'pcmu/8000', 'pcma/8000'];
const STATIC_PAYLOADS: Record<string, string> = { '0': 'PCMU/8000', '8': 'PCMA/8000' };
const ANSWER_DIRECTION: Record<string, string> = { sendrecv: 'sendrecv', sendonly: 'recvonly', recvonly: 'sendonly', inactive: 'inactive' };

function parseMedia(offer: string): OfferedMedia[] {
  const sections: OfferedMedia[] = [];
  let sessionDirection = 'sendrecv';
  for (const raw of offer.split(/\r?\n/)) {
    const line = raw.trim();
    const current = sections.at(-1);
    if (line.startsWith('m=')) {
      const [kind = '', , proto = '', ...payloads] = line.slice(2).split(' ');
      sections.push({ kind, proto, payloads, direction: sessionDirection, rtpmaps: new Map(), fmtps: new Map() });
    } else if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line)) {
      if (current) current.direction = line.slice(2);
      else sessionDirection = line.slice(2);
    } else if (current && line.startsWith('a=mid:')) {
      current.mid = line.slice('a=mid:'.length);
    } else if (current && line.startsWith('a=rtpmap:')) {
      const [pt = '', codec = ''] = line.slice('a=rtpmap:'.length).split(' ');
      current.rtpmaps.set(pt, codec);
    } else if (current && line.startsWith('a=fmtp:')) {
      const space = line.indexOf(' ');
      if (space > 0) current.fmtps.set(line.slice('a=fmtp:'.length, space), line.slice(space + 1));
    }
  }
  return sections;
}

/**
 * An answer to a browser's offer (its `newCall` or an ICE-restart `updateMedia`): the first audio
 * codec both sides know plus telephone-event, `a=setup:active`, new ICE credentials; any other
 * media section is rejected (port 0).
 */
export function placeholderAnswer(offer: string): string {
  const media = parseMedia(offer);
  const accepted = media.filter((m) => m.kind === 'audio').map((m) => m.mid).filter((mid): mid is string => mid !== undefined);
  const lines = ['v=0', origin(), 's=-', 't=0 0'];
  if (accepted.length > 0) lines.push(`a=group:BUNDLE ${accepted.join(' ')}`);
  lines.push('a=msid-semantic: WMS');
  const credentials = ice();
  const print = fingerprint();
  for (const m of media) {
    const codec = m.kind === 'audio' ? pickCodec(m) : undefined;
    if (!codec) {
      lines.push(`m=${m.kind} 0 ${m.proto} ${m.payloads[0] ?? '0'}`, 'c=IN IP4 0.0.0.0');
      if (m.mid !== undefined) lines.push(`a=mid:${m.mid}`);
      lines.push('a=inactive');
      continue;
    }
    const dtmf = [...m.rtpmaps].find(([, c]) => c.toLowerCase() === 'telephone-event/8000')?.[0];
    const payloads = dtmf ? [codec, dtmf] : [codec];
    lines.push(`m=audio 9 ${m.proto} ${payloads.join(' ')}`, 'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0', ...credentials, print, 'a=setup:active');
    if (m.mid !== undefined) lines.push(`a=mid:${m.mid}`);
    lines.push(`a=${ANSWER_DIRECTION[m.direction] ?? 'sendrecv'}`, 'a=rtcp-mux');
    for (const pt of payloads) {
      const rtpmap = m.rtpmaps.get(pt) ?? STATIC_PAYLOADS[pt];
      if (rtpmap) lines.push(`a=rtpmap:${pt} ${rtpmap}`);
      const fmtp = m.fmtps.get(pt);
      if (fmtp) lines.push(`a=fmtp:${pt} ${fmtp}`);
    }
  }
  lines.push('');
  return lines.join(CRLF);
}

function pickCodec(m: OfferedMedia): string | undefined {
  for (const wanted of AUDIO_CODECS) {
    const found = m.payloads.find((pt) => m.rtpmaps.get(pt)?.toLowerCase() === wanted);
    if (found) return found;
  }
  // Static payload types need no rtpmap line.
  return m.payloads.find((pt) => pt === '0' || pt === '8');
}
