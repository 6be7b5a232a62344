import { cleanDialString, decodeLegClientState, headerValue, isDialable, legPurpose, phaseOf } from '../../console/src/app/softphone/phone-logic';

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

describe('reading the SDK’s calls', () => {
  it('maps SDK states to phases', () => {
    expect(['new', 'trying', 'ringing', 'answering', 'active', 'held', 'hangup', 'destroy'].map(phaseOf)).toEqual([
      'connecting',
      'connecting',
      'ringing',
      'connecting',
      'active',
      'held',
      'ended',
      'ended',
    ]);
  });

  it('finds callstream’s headers whatever their case', () => {
    const headers = [{ name: 'x-callstream-call-id', value: 'call-1' }];
    expect(headerValue(headers, 'X-Callstream-Call-Id')).toBe('call-1');
    expect(headerValue(headers, 'X-Other')).toBeNull();
  });

  it('decodes the leg’s client_state and tells offers from supervision legs', () => {
    const offer = decodeLegClientState(encode({ callId: 'c1', role: 'agent', agentId: 'alice', offerId: 'o1' }), decode);
    expect(offer).toEqual({ callId: 'c1', role: 'agent', agentId: 'alice', offerId: 'o1', supervisorId: null });
    expect(legPurpose(offer, [])).toBe('offer');
    expect(legPurpose(decodeLegClientState(encode({ callId: 'c1', role: 'supervisor', supervisorId: 'sam' }), decode), [])).toBe('supervisor');
    expect(legPurpose(null, [{ name: 'X-Callstream-Offer-Id', value: 'o2' }])).toBe('offer');
    expect(legPurpose(null, [])).toBe('other');
    expect(decodeLegClientState('not base64 json', decode)).toBeNull();
  });

  it('cleans what the agent types into a dialable string', () => {
    expect(cleanDialString(' +1 (555) 010-2030 ')).toBe('+15550102030');
    expect(cleanDialString('sip:bob@example.com')).toBe('sip:bob@example.com');
    expect(isDialable('+15550102030')).toBe(true);
    expect(isDialable('12')).toBe(false);
    expect(isDialable('sip:gencredabc@sip.telnyx.com')).toBe(true);
  });
});
