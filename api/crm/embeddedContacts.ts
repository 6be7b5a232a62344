import { normalizePhoneNumber, type CrmContact, type CrmPort } from './crmPort';

/** Demo contacts for `npm start` and the simulator's callers (numbers +1555020xxxx). */
export const DEMO_CONTACTS: readonly CrmContact[] = [
  {
    contactId: 'c-1001',
    name: 'Maria Gonzalez',
    account: 'ACME-4411',
    email: 'maria.gonzalez@example.com',
    tier: 'gold',
    language: 'es',
    notes: 'Prefers Spanish. Renewal due next quarter.',
    tags: ['renewal', 'spanish'],
    phoneNumbers: ['+15550200101'],
  },
  {
    contactId: 'c-1002',
    name: 'James Carter',
    account: 'GLOBEX-2087',
    email: 'j.carter@example.com',
    tier: 'platinum',
    language: 'en',
    notes: 'Key account; escalate billing disputes to a supervisor.',
    tags: ['vip', 'billing'],
    phoneNumbers: ['+15550200102', '+15550200112'],
  },
  {
    contactId: 'c-1003',
    name: 'Aiko Tanaka',
    account: 'INITECH-0315',
    email: 'aiko.tanaka@example.com',
    tier: 'standard',
    language: 'en',
    notes: 'Opened a technical ticket about call quality last week.',
    tags: ['technical'],
    phoneNumbers: ['+15550200103'],
  },
  {
    contactId: 'c-1004',
    name: 'Luis Fernández',
    account: null,
    email: null,
    tier: 'standard',
    language: 'es',
    notes: 'Prospect from the spring campaign.',
    tags: ['prospect', 'spanish'],
    phoneNumbers: ['+15550200104'],
  },
  {
    contactId: 'c-1005',
    name: 'Priya Natarajan',
    account: 'UMBRELLA-7730',
    email: 'priya@example.com',
    tier: 'gold',
    language: 'en',
    notes: 'Asked for a call back about the enterprise plan.',
    tags: ['sales', 'callback'],
    phoneNumbers: ['+15550200105'],
  },
];

export interface ContactDirectory {
  lookup(phoneNumber: string): CrmContact | null;
  all(): readonly CrmContact[];
}

/** A pure in-memory directory keyed by normalised phone number. */
export const contactDirectory = (contacts: readonly CrmContact[] = DEMO_CONTACTS): ContactDirectory => {
  const byNumber = new Map<string, CrmContact>();
  for (const contact of contacts) for (const number of contact.phoneNumbers) byNumber.set(normalizePhoneNumber(number), contact);
  return {
    lookup: (phoneNumber) => byNumber.get(normalizePhoneNumber(phoneNumber)) ?? null,
    all: () => contacts,
  };
};

/** The embedded CRM adapter: the directory behind the port. */
export const embeddedCrm = (directory: ContactDirectory = contactDirectory()): CrmPort => ({
  findByPhoneNumber: (e164) => Promise.resolve(directory.lookup(e164)),
});
