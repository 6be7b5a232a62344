import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startCallstream, type Callstream } from '../../api/app';

/**
 * The console in Debian's Chromium against the running product (API, reactor, projections and the
 * Telnyx simulator in this process): an agent signs in and her softphone (the real @telnyx/webrtc
 * SDK) registers on the simulator's /rtc endpoint; a caller goes through the IVR; the agent's console
 * rings, she answers, holds, resumes, hangs up and wraps up; a supervisor in another browser context
 * watches the queue and the call change live and barges in.
 */

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '..', '..');
const CONSOLE_DIST = path.join(ROOT, 'console', 'dist', 'browser');
const SCREENSHOTS = path.join(ROOT, 'test-output', 'console');
const PASSWORD = 'callstream-demo';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`console e2e skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
const describeInBrowser = haveChromium ? describe : describe.skip;

/** The newest modification time under a directory. */
const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(max, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }, 0);

/** Builds the console when it is missing or older than its sources (bounded: a stuck build fails the suite instead of hanging it). */
const ensureConsoleBuilt = (): void => {
  const index = path.join(CONSOLE_DIST, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newest(path.join(ROOT, 'console', 'src'))) return;
  const ng = path.join(ROOT, 'node_modules', '@angular', 'cli', 'bin', 'ng.js');
  execFileSync(process.execPath, [ng, 'build'], { cwd: path.join(ROOT, 'console'), stdio: 'pipe', timeout: 240_000, env: { ...process.env, NG_CLI_ANALYTICS: 'false' } });
};

const LAUNCH_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

describeInBrowser('the console in Chromium against the running product', () => {
  let dir: string;
  let app: Callstream;
  let browser: Browser;
  let agentContext: BrowserContext;
  let supervisorContext: BrowserContext;
  let analystContext: BrowserContext;
  let agent: Page;
  let supervisor: Page;
  let analyst: Page;
  const pageErrors: string[] = [];

  const shot = async (page: Page, name: string): Promise<void> => {
    // From the top, so sticky bars are where a person sees them.
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  const signIn = async (page: Page, username: string): Promise<void> => {
    await page.goto(`${app.url}/login`);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
  };

  const watch = (page: Page, who: string): void => {
    page.on('pageerror', (err) => pageErrors.push(`${who}: ${err.message}`));
  };

  beforeAll(async () => {
    rmSync(SCREENSHOTS, { recursive: true, force: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
    ensureConsoleBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'callstream-console-e2e-'));
    app = await startCallstream({
      env: { NODE_ENV: 'test', CALLSTREAM_DATA_DIR: dir, CALLSTREAM_SEED_DEMO: 'true', SIM_SCALE: '2',
        // Short-lived access tokens, so the console renews the session while the test runs.
        CALLSTREAM_ACCESS_TOKEN_TTL_SECONDS: '30',
        CALLSTREAM_CONSOLE_DIR: CONSOLE_DIST,
      },
      logger: pino({ level: 'silent' }),
      port: 0,
      simulatorPort: 0,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    agentContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    supervisorContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    analystContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    agent = await agentContext.newPage();
    supervisor = await supervisorContext.newPage();
    analyst = await analystContext.newPage();
    // Shorter than the tests' own timeouts, so a failure names the element it waited for.
    for (const context of [agentContext, supervisorContext, analystContext]) context.setDefaultTimeout(20_000);
    watch(agent, 'agent');
    watch(supervisor, 'supervisor');
    watch(analyst, 'analyst');
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  let callId = '';
  let firstAccessToken = '';
  const accessToken = (page: Page): Promise<string> =>
    page.evaluate(() => {
      const storage = (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage;
      return (JSON.parse(storage.getItem('callstream.session') ?? '{}') as { accessToken?: string }).accessToken ?? '';
    });

  it('signs the agent in and registers her softphone through the real SDK', async () => {
    await signIn(agent, 'alice');
    await agent.waitForURL(/\/desk$/);
    await agent.getByTestId('softphone-state').filter({ hasText: 'Phone ready' }).waitFor();
    await agent.getByTestId('softphone-registration').filter({ hasText: 'Registered' }).waitFor();
    await shot(agent, '01-agent-desk-signed-in');
    firstAccessToken = await accessToken(agent);
    expect(firstAccessToken).not.toBe('');
    expect(app.simulator?.rtc.sessionViews()).toContainEqual(expect.objectContaining({ registered: true }));
  }, 60_000);

  it('lists the audio devices and remembers the chosen microphone in this browser', async () => {
    const mic = agent.getByTestId('mic-select');
    await mic.locator('option').first().waitFor({ state: 'attached' });
    const last = mic.locator('option').last();
    // The list is enumerated again once the browser grants the devices (ids may change): pick from the list as it is when selecting.
    let value: string | null = null;
    let label: string | undefined;
    for (let attempt = 1; ; attempt++) {
      [value, label] = [await last.getAttribute('value'), (await last.textContent())?.trim()];
      try {
        await mic.selectOption(value ?? '', { timeout: 3_000 });
        break;
      } catch (error) {
        if (attempt >= 5) throw error;
      }
    }
    const stored = async () =>
      agent.evaluate(() => JSON.parse((globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('callstream.audio') ?? '{}') as { micId?: string; micLabel?: string });
    for (let i = 0; i < 20 && (await stored()).micId !== value; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await stored()).toMatchObject({ micId: value, micLabel: label });
  }, 30_000);

  it('goes Available', async () => {
    await agent.getByTestId('status-available').click();
    await agent.getByTestId('agent-state').filter({ hasText: 'Available' }).waitFor();
    await agent.getByTestId('idle').filter({ hasText: 'Ready' }).waitFor();
    await shot(agent, '02-agent-available');
  }, 30_000);

  it('lists the keyboard shortcuts with ?', async () => {
    await agent.keyboard.press('?');
    const help = agent.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.filter({ hasText: 'Answer the ringing call' }).waitFor();
    await help.filter({ hasText: 'Hold or resume' }).waitFor();
    await shot(agent, '02b-agent-shortcuts');
    await agent.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
  }, 30_000);

  it('signs the supervisor in, in another browser context, onto the floor with the agent available', async () => {
    await signIn(supervisor, 'sam');
    await supervisor.waitForURL(/\/floor$/);
    await supervisor.getByTestId('queue-row-sales').waitFor();
    await supervisor.getByTestId('agent-state-alice').filter({ hasText: 'Available' }).waitFor();
    await supervisor.getByTestId('softphone-state').filter({ hasText: 'Phone ready' }).waitFor();
    await shot(supervisor, '10-supervisor-floor');
  }, 60_000);

  it('rings the agent with the caller, the IVR attributes and the screen pop once the caller has passed the IVR; the supervisor sees the queue change', async () => {
    const placed = app.simulator!.world.placeCaller({
      from: '+15550200102',
      callerIdName: 'James Carter',
      ivr: ['1', '1'],
      talkMs: null,
      says: Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? 'I would like to upgrade my plan to the annual one.' : `Line ${i}: my account is GLOBEX-2087.`)),
      sayEveryMs: 3_000,
    });
    callId = placed.callSessionId;
    await supervisor.getByTestId(`floor-waiting-${callId}`).waitFor({ timeout: 45_000 });
    await shot(supervisor, '11-supervisor-call-waiting');

    await agent.getByTestId('incoming-call').waitFor({ timeout: 45_000 });
    await expect(agent.getByTestId('incoming-number').textContent()).resolves.toContain('+15550200102');
    await agent.getByTestId('ivr-attributes').filter({ hasText: 'English' }).waitFor();
    await agent.getByTestId('screen-pop').filter({ hasText: 'James Carter' }).waitFor();
    await agent.getByTestId('answer').filter({ hasText: 'Answer' }).waitFor();
    await shot(agent, '03-agent-ringing');
  }, 60_000);

  it('answers with A: the call connects, the recording indicator shows, and the supervisor sees the call in progress', async () => {
    await agent.keyboard.press('a');
    await agent.getByTestId('active-call').waitFor();
    await agent.getByTestId('recording-indicator').filter({ hasText: 'REC' }).waitFor({ timeout: 20_000 });
    await shot(agent, '04-agent-on-call');

    await supervisor.getByTestId(`live-call-${callId}`).waitFor();
    await supervisor.getByTestId('agent-state-alice').filter({ hasText: 'On a call' }).waitFor();
    await supervisor.getByTestId(`floor-waiting-${callId}`).waitFor({ state: 'detached' });
    await shot(supervisor, '12-supervisor-call-in-progress');
  }, 30_000);

  it('holds and resumes the caller', async () => {
    await agent.getByTestId('hold').click();
    await agent.getByTestId('hold-indicator').waitFor();
    await supervisor.getByTestId(`live-call-${callId}`).filter({ hasText: 'on hold' }).waitFor();
    await shot(agent, '05-agent-on-hold');
    await agent.keyboard.press('h');
    await agent.getByTestId('hold-indicator').waitFor({ state: 'detached' });
  }, 30_000);

  it('sends a touch tone from the keypad and shows the live transcript', async () => {
    await agent.keyboard.press('k');
    await agent.getByTestId('keypad').waitFor();
    await agent.keyboard.press('5');
    const dtmfReceived = async (): Promise<boolean> =>
      (await app.eventStore.readStream(`call-${callId}`)).some((e) => e.type === 'TelnyxWebhookReceived' && (e.data as { eventType?: string }).eventType === 'call.dtmf.received');
    for (let i = 0; i < 40 && !(await dtmfReceived()); i++) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await dtmfReceived()).toBe(true);
    await agent.keyboard.press('k');

    await agent.getByRole('button', { name: 'Transcribe' }).click();
    await agent.getByTestId('transcript').filter({ hasText: 'annual' }).waitFor({ timeout: 20_000 });
    await shot(agent, '05b-agent-transcript');
  }, 45_000);

  it('lets the supervisor barge in: the supervision leg rings the supervisor’s softphone, which answers it', async () => {
    await supervisor.getByTestId(`live-call-${callId}`).click();
    await supervisor.getByTestId('live-call-panel').waitFor();
    await supervisor.getByTestId(`barge-${callId}`).click();
    await supervisor.getByTestId('panel-supervision').filter({ hasText: 'sam barge' }).waitFor({ timeout: 20_000 });
    await supervisor.getByTestId('softphone-state').filter({ hasText: 'Phone on a call' }).waitFor({ timeout: 20_000 });
    // Both browsers' legs are up on the simulator: the agent's and the supervisor's.
    expect(app.simulator!.rtc.calls().filter((c) => c.state === 'active')).toHaveLength(2);
    await agent.getByTestId('supervised-indicator').filter({ hasText: 'sam' }).waitFor();
    await shot(supervisor, '13-supervisor-barged-in');
    await shot(agent, '06-agent-supervised');
  }, 45_000);

  it('hangs up with X and completes the wrap-up; the supervisor sees the agent wrap up', async () => {
    await agent.keyboard.press('x');
    await agent.getByTestId('wrap-up').waitFor();
    await agent.keyboard.press('1');
    await agent.getByTestId('wrap-up-notes').fill('Upgraded to the annual plan.');
    await shot(agent, '07-agent-wrap-up');
    await agent.getByTestId('wrap-up-submit').click();
    await agent.getByTestId('wrap-up').waitFor({ state: 'detached' });
    await agent.getByTestId('recent-calls').filter({ hasText: '+15550200102' }).waitFor();
    await shot(agent, '08-agent-after-call');
    await supervisor.getByTestId(`live-call-${callId}`).waitFor({ state: 'detached' });
    await supervisor.getByTestId('agent-state-alice').filter({ hasText: 'Available' }).waitFor();
    await shot(supervisor, '14-supervisor-after-call');
  }, 30_000);

  it('places an outbound call from the dial pad, hangs it up and wraps it up', async () => {
    await agent.getByTestId('dial-number').fill('+1 555 777 8888');
    await agent.getByTestId('dial-call').click();
    await agent.getByTestId('active-call').filter({ hasText: '+15557778888' }).waitFor();
    await agent.getByTestId('active-call').filter({ hasText: 'Outbound call' }).waitFor();
    await agent.getByTestId('agent-state').filter({ hasText: 'On a call' }).waitFor({ timeout: 20_000 });
    await shot(agent, '09-agent-outbound-call');
    await agent.getByTestId('hangup').click();
    await agent.getByTestId('wrap-up').waitFor();
    await agent.keyboard.press('2');
    await agent.getByTestId('wrap-up-submit').click();
    await agent.getByTestId('wrap-up').waitFor({ state: 'detached' });
  }, 45_000);

  it('lets the supervisor play the call’s recording from the history', async () => {
    await supervisor.getByRole('link', { name: 'Calls', exact: true }).click();
    const row = supervisor.getByTestId(`history-${callId}`);
    await row.waitFor();
    // The recording is downloaded once Telnyx saves it, a moment after the call: search again until it is stored.
    for (let attempt = 0; attempt < 40 && (await row.getByTestId('recording-play').count()) === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await supervisor.getByRole('button', { name: 'Search' }).click();
    }
    await row.getByTestId('recording-play').first().click();
    await row.getByTestId('recording-audio').waitFor();
    await shot(supervisor, '15-supervisor-history-recording');
  }, 60_000);

  it('shows the supervisor interval reports with charts', async () => {
    await supervisor.getByRole('link', { name: 'Reports', exact: true }).click();
    await supervisor.getByTestId('report-table').waitFor();
    await supervisor.locator('cs-chart canvas').first().waitFor();
    await shot(supervisor, '16-supervisor-reports');
  }, 30_000);

  it('lists a pending callback and a voicemail for the supervisor', async () => {
    await agent.getByTestId('status-offline').click();
    await agent.getByTestId('agent-state').filter({ hasText: 'Offline' }).waitFor();
    app.simulator!.world.placeCaller({ from: '+15550200377', ivr: ['1', '3'], talkMs: null });
    app.simulator!.world.placeCaller({ from: '+15550200499', ivr: ['1', '9'], says: ['Please call me about my invoice.'], maxCallMs: 40_000 });

    await supervisor.getByRole('link', { name: 'Callbacks', exact: true }).click();
    await supervisor.getByTestId('callbacks').filter({ hasText: '+15550200377' }).waitFor({ timeout: 45_000 });
    await shot(supervisor, '17-supervisor-callbacks');

    await supervisor.getByRole('link', { name: 'Voicemail', exact: true }).click();
    for (let attempt = 0; attempt < 60 && (await supervisor.getByTestId('voicemails').filter({ hasText: '+15550200499' }).count()) === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await supervisor.getByRole('button', { name: 'Refresh' }).click();
    }
    await supervisor.getByTestId('voicemails').filter({ hasText: '+15550200499' }).waitFor();
    await shot(supervisor, '18-supervisor-voicemail');
  }, 120_000);

  it('lets the analyst replay the call: timeline, routing decisions and the raw webhook', async () => {
    await signIn(analyst, 'ana');
    await analyst.waitForURL(/\/history$/);
    await analyst.goto(`${app.url}/calls/${callId}`);
    await analyst.getByTestId('routing-decisions').filter({ hasText: 'chose alice' }).waitFor();
    await analyst.getByTestId('timeline-TelnyxWebhookReceived').first().click();
    await analyst.getByTestId('raw-json').filter({ hasText: '"event_type": "call.initiated"' }).first().waitFor();
    await shot(analyst, '20-analyst-call-timeline');
  }, 30_000);

  it('shows the analyst the queue as of the moment the call was queued', async () => {
    await analyst.getByTestId('timeline-CallQueued').first().click();
    await analyst.getByTestId('as-of-event').click();
    await analyst.waitForURL(/\/as-of\?position=/);
    await analyst.getByTestId('as-of-waiting').filter({ hasText: '+15550200102' }).waitFor();
    await shot(analyst, '21-analyst-queue-as-of');
  }, 30_000);

  it('lets the analyst browse the event history of the call', async () => {
    await analyst.getByRole('link', { name: 'Events', exact: true }).click();
    await analyst.getByTestId('events-call').fill(callId);
    await analyst.getByTestId('events-search').click();
    await analyst.getByTestId('events').filter({ hasText: `call-${callId}` }).first().waitFor();
    await analyst.getByTestId('events').locator('tr.clickable').first().click();
    await analyst.getByTestId('raw-json').first().waitFor();
    await shot(analyst, '22-analyst-events');
  }, 60_000);

  it('renewed the agent’s session before its 30-second access token expired, without signing her out', async () => {
    expect(await accessToken(agent)).not.toBe(firstAccessToken);
    expect(new URL(agent.url()).pathname).toBe('/desk');
    await agent.getByTestId('connection-state').filter({ hasText: 'Live' }).waitFor();
  }, 30_000);

  it('signs the agent out: back to the login page, her softphone gone from the simulator', async () => {
    await agent.getByTestId('sign-out').click();
    await agent.waitForURL(/\/login$/);
    await agent.getByTestId('login-username').waitFor();
    expect(await agent.getByTestId('login-notice').count()).toBe(0);
    await shot(agent, '30-signed-out');
    for (let i = 0; i < 40 && app.simulator!.rtc.sessionViews().filter((v) => v.registered).length > 1; i++) await new Promise((resolve) => setTimeout(resolve, 250));
    // Only the supervisor's softphone is left.
    expect(app.simulator!.rtc.sessionViews().filter((v) => v.registered)).toHaveLength(1);
  }, 30_000);

  it('shows the supervisor that the network is gone, then reconnects and catches up with what happened meanwhile', async () => {
    await supervisor.getByRole('link', { name: 'Floor', exact: true }).click();
    await supervisor.getByTestId('wallboard').waitFor();
    await supervisorContext.setOffline(true);
    await supervisor.getByTestId('connection-state').filter({ hasText: 'Offline' }).waitFor();
    await supervisor.getByTestId('stale-banner').waitFor();
    const placed = app.simulator!.world.placeCaller({ from: '+15550200655', ivr: ['1', '2', '1'], talkMs: null });
    // The caller reaches the billing queue while the supervisor's browser is offline.
    const queued = async () => (await app.eventStore.readStream(`call-${placed.callSessionId}`)).some((e) => e.type === 'CallQueued');
    for (let i = 0; i < 120 && !(await queued()); i++) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await queued()).toBe(true);
    await shot(supervisor, '19-supervisor-offline');
    await supervisorContext.setOffline(false);
    await supervisor.getByTestId('connection-state').filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 });
    await supervisor.getByTestId('stale-banner').waitFor({ state: 'detached' });
    await supervisor.getByTestId(`floor-waiting-${placed.callSessionId}`).waitFor({ timeout: 45_000 });
  }, 90_000);

  it('saw no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
