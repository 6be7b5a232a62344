import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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

/** Builds the console once when it has not been built (bounded: a stuck build fails the suite instead of hanging it). */
const ensureConsoleBuilt = (): void => {
  if (existsSync(path.join(CONSOLE_DIST, 'index.html'))) return;
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
  let agent: Page;
  let supervisor: Page;
  const pageErrors: string[] = [];

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

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
    mkdirSync(SCREENSHOTS, { recursive: true });
    ensureConsoleBuilt();
    dir = mkdtempSync(path.join(tmpdir(), 'callstream-console-e2e-'));
    app = await startCallstream({
      env: { NODE_ENV: 'test', CALLSTREAM_DATA_DIR: dir, CALLSTREAM_SEED_DEMO: 'true', SIM_SCALE: '4', CALLSTREAM_CONSOLE_DIR: CONSOLE_DIST },
      logger: pino({ level: 'silent' }),
      port: 0,
      simulatorPort: 0,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    agentContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    supervisorContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    agent = await agentContext.newPage();
    supervisor = await supervisorContext.newPage();
    watch(agent, 'agent');
    watch(supervisor, 'supervisor');
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('signs the agent in and registers her softphone through the real SDK', async () => {
    await signIn(agent, 'alice');
    await agent.waitForURL(/\/desk$/);
    await agent.getByTestId('softphone-state').filter({ hasText: 'Phone ready' }).waitFor();
    await shot(agent, '01-agent-desk-signed-in');
    expect(app.simulator?.rtc.sessionViews()).toContainEqual(expect.objectContaining({ registered: true }));
  }, 60_000);

  it('saw no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
