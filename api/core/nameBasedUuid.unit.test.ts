import fc from 'fast-check';
import { v5 as uuidv5 } from 'uuid';
import { uuidV5, uuidV5Namespace } from './nameBasedUuid';

describe('uuidV5', () => {
  const namespaces = ['1b671a64-40d5-491e-99b0-da01ff1f3341', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'];

  it('gives the ids uuid v5 gives, for any text (stored ids depend on it)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), fc.constantFrom(...namespaces), (name, namespace) => {
        expect(uuidV5(name, uuidV5Namespace(namespace))).toBe(uuidv5(name, namespace));
      }),
      { numRuns: 2000, seed: 42 },
    );
  });

  it('agrees on known ids and long texts', () => {
    const ns = uuidV5Namespace('6ba7b810-9dad-11d1-80b4-00c04fd430c8');
    // The DNS namespace example of RFC 9562 appendix A.4.
    expect(uuidV5('www.example.com', ns)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    const long = JSON.stringify({ candidates: Array.from({ length: 500 }, (_, i) => ({ agentId: `agent${i}`, reason: 'idle — ça va' })) });
    expect(uuidV5(long, ns)).toBe(uuidv5(long, '6ba7b810-9dad-11d1-80b4-00c04fd430c8'));
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5Namespace('not-a-uuid')).toThrow(TypeError);
  });
});
