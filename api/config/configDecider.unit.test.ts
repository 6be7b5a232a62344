import { ValidationError } from '../core/errors';
import type { CommandMetadata } from '../core/decider';
import { fold } from '../core/decider';
import { DeciderSpecification } from '../../test/support/deciderSpecification';
import { contactDirectory, embeddedCrm } from '../crm/embeddedContacts';
import { checkBusinessHours } from './businessHours';
import type { ConfigEvent, QueueConfig } from './config';
import { configurationDecider, configStreamFor, validateContactCenterConfig, type ConfigCommand } from './configDecider';
import { defaultConfiguration, defaultConfigurationCommands, defaultConfigurationEvents } from './defaultConfiguration';

const meta: CommandMetadata = { now: '2026-03-02T09:00:00.000Z', commandId: 'cfg-1', actor: 'admin' };
const given = DeciderSpecification.for(configurationDecider);
const config = defaultConfiguration();
const sales: QueueConfig = config.queues.sales;
const configureQueue = (queue: QueueConfig): ConfigCommand => ({ type: 'ConfigureQueue', data: { queue }, metadata: meta });
const queueConfigured = (queue: QueueConfig): ConfigEvent => ({ type: 'QueueConfigured', data: { ...queue, occurredAt: meta.now } });

describe('configuration as events', () => {
  it('configures a queue once; the same configuration again is a no-op, a change is a new event', () => {
    given([]).when(configureQueue(sales)).then([queueConfigured(sales)]);
    given([queueConfigured(sales)]).when(configureQueue(sales)).thenNothingHappens();
    given([queueConfigured(sales)])
      .when(configureQueue({ ...sales, strategy: 'ring-all' }))
      .then([queueConfigured({ ...sales, strategy: 'ring-all' })]);
  });

  it('removes a queue, and removing an absent one is a no-op', () => {
    given([queueConfigured(sales)])
      .when({ type: 'RemoveQueue', data: { queueId: 'sales' }, metadata: meta })
      .then([{ type: 'QueueRemoved', data: { queueId: 'sales', occurredAt: meta.now } }]);
    given([]).when({ type: 'RemoveQueue', data: { queueId: 'sales' }, metadata: meta }).thenNothingHappens();
  });

  it('names the field that is wrong', () => {
    given([])
      .when(configureQueue({ ...sales, ringTimeoutSeconds: 2 }))
      .thenThrows(ValidationError, (e) => e.message.startsWith("Invalid queue: ringTimeoutSeconds: Too small"));
    given([])
      .when(configureQueue({ ...sales, overflow: [{ afterSeconds: 60, targetQueueId: 'sales' }] }))
      .thenThrows(ValidationError, (e) => e.message === "Invalid queue 'sales': overflow: a queue cannot overflow into itself");
    given([])
      .when(configureQueue({ ...sales, callerIdNumber: '555-0100' }))
      .thenThrows(ValidationError, (e) => e.message.includes('callerIdNumber: phone numbers are E.164'));
  });

  it('rejects IVR menus with a digit used twice', () => {
    const menu = config.ivrMenus.main;
    given([])
      .when({ type: 'ConfigureIvrMenu', data: { menu: { ...menu, options: [...menu.options, { ...menu.options[0], label: 'Again' }] } }, metadata: meta })
      .thenThrows(ValidationError, (e) => e.message === "Invalid IVR menu 'main': options: digit 1 is used twice");
  });

  it('rejects business hours with an unknown time zone or a range that closes before it opens', () => {
    const hours = config.hours.office;
    given([])
      .when({ type: 'ConfigureBusinessHours', data: { hours: { ...hours, timezone: 'Mars/Olympus', weekly: [{ day: 'mon', open: '17:00', close: '09:00' }] } }, metadata: meta })
      .thenThrows(ValidationError, (e) => e.message.includes("timezone: 'Mars/Olympus' is not an IANA time zone") && e.message.includes('weekly.0: open 17:00 must be before close 09:00'));
  });

  it('rejects settings without the default language', () => {
    const settings = config.settings;
    if (!settings) throw new Error('the default configuration has settings');
    given([])
      .when({ type: 'ConfigureSettings', data: { settings: { ...settings, defaultLanguage: 'fr' } }, metadata: meta })
      .thenThrows(ValidationError, (e) => e.message.includes("the default language 'fr' has no settings"));
  });

  it('finds broken references across entities', () => {
    const broken = { ...config, queues: { ...config.queues, billing: { ...config.queues.billing, overflow: [{ afterSeconds: 60, targetQueueId: 'nowhere' }] } } };
    expect(validateContactCenterConfig(broken)).toEqual(['queue billing: overflow target nowhere does not exist']);
    const { support: _support, ...withoutSupport } = config.queues;
    expect(validateContactCenterConfig({ ...config, queues: withoutSupport })).toEqual(
      expect.arrayContaining(['IVR menu main digit 3: queue support does not exist', 'settings: default outbound queue support does not exist']),
    );
  });
});

describe('the default configuration', () => {
  it('is valid and complete enough to take calls', () => {
    expect(validateContactCenterConfig(config)).toEqual([]);
    expect(Object.keys(config.queues).sort()).toEqual(['billing', 'sales', 'support']);
    expect(new Set(Object.values(config.queues).map((q) => q.strategy))).toEqual(new Set(['longest-idle', 'round-robin', 'ring-all']));
    expect(config.numbers['*']).toEqual({ number: '*', entryMenuId: 'welcome', hoursId: 'always-open' });
  });

  it('is seeded stream by stream, and seeding again appends nothing', () => {
    const seed = defaultConfigurationEvents(meta.now);
    expect(seed.map((s) => s.streamId)).toEqual(expect.arrayContaining(['config-settings', 'config-queue-sales', 'config-ivr-welcome', 'config-agent-alice', 'config-hours-always-open', 'config-numbers']));
    for (const command of defaultConfigurationCommands(meta)) {
      const stream = seed.find((s) => s.streamId === configStreamFor(command));
      expect(configurationDecider.decide(command, fold(configurationDecider, stream?.events ?? []))).toEqual([]);
    }
  });

  it('is open around the clock by default', () => {
    expect(checkBusinessHours(config.hours['always-open'], '2026-12-25T03:00:00.000Z')).toMatchObject({ open: true });
  });
});

describe('business hours', () => {
  const office = config.hours.office;
  it('opens on weekdays 9 to 5 in New York, across daylight saving time', () => {
    expect(checkBusinessHours(office, '2026-03-02T14:00:00.000Z')).toEqual({ open: true, reason: 'open mon 09:00-17:00 America/New_York' });
    expect(checkBusinessHours(office, '2026-03-02T13:59:00.000Z')).toEqual({ open: false, reason: 'closed at mon 08:59 America/New_York' });
    // after the switch to EDT (8 March 2026) 9:00 local is 13:00 UTC
    expect(checkBusinessHours(office, '2026-03-09T13:00:00.000Z').open).toBe(true);
    expect(checkBusinessHours(office, '2026-03-06T22:00:00.000Z')).toEqual({ open: false, reason: 'closed at fri 17:00 America/New_York' });
  });

  it('is closed on holidays', () => {
    expect(checkBusinessHours(office, '2026-12-25T15:00:00.000Z')).toEqual({ open: false, reason: 'holiday: Christmas Day (2026-12-25)' });
  });
});

describe('embedded CRM', () => {
  it('finds a contact by any of its numbers, whatever the formatting', async () => {
    expect(contactDirectory().lookup('+1 (555) 020-0112')?.name).toBe('James Carter');
    expect(await embeddedCrm().findByPhoneNumber('+15550200101')).toMatchObject({ name: 'Maria Gonzalez', language: 'es' });
    expect(await embeddedCrm().findByPhoneNumber('+15559999999')).toBeNull();
  });
});
