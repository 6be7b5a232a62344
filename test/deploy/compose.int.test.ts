import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DCLinter } from 'dclint';
import { parse } from 'yaml';

/**
 * No Docker engine runs where the tests run, so the compose files are checked statically: the
 * Compose Specification schema and best-practice rules (dclint), then what matters to callstream.
 * Where the `docker compose` plugin exists, `docker compose config` checks them as Compose would.
 */

const ROOT = join(__dirname, '..', '..');
const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.cluster.yml'] as const;

type Yaml = Record<string, unknown>;

/** dclint's result shape (its declaration files do not resolve under nodenext). */
interface LintResult {
  errorCount: number;
  messages: { type: 'error' | 'warning'; rule: string; line: number; message: string }[];
}

interface Service {
  image?: string;
  build?: string | { context?: string; target?: string };
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: (string | number | Yaml)[];
  volumes?: (string | Yaml)[];
  profiles?: string[];
  deploy?: { replicas?: number };
}

const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const load = (file: string): { services: Record<string, Service> } & Yaml => parse(read(file), { merge: true }) as { services: Record<string, Service> } & Yaml;

const environmentOf = (service: Service): Record<string, string> => {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((entry) => [entry.split('=')[0], entry.slice(entry.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
};

const commandOf = (service: Service): string => (Array.isArray(service.command) ? service.command.join(' ') : (service.command ?? ''));

const healthcheckEnabled = (service: Service | undefined): boolean => !!service?.healthcheck && service.healthcheck.disable !== true && !!service.healthcheck.test;

/** Variable names whose values are credentials (a public key is not). */
const SECRET_NAME = /(SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE_KEY|AUTHORIZATION|CONTROL_KEY)/;
/** `${NAME}`, `${NAME:?message}` or `${NAME:-}` (no default value). */
const INTERPOLATION_WITHOUT_DEFAULT = /^\$\{[A-Z0-9_]+(?::\?[^}]*|:-|\?[^}]*|-)?\}$/;

describe.each(COMPOSE_FILES)('%s', (file) => {
  const compose = load(file);
  const services = Object.entries(compose.services);

  it('passes the Compose Specification schema and dclint without errors', () => {
    const linter = new DCLinter({ rules: {}, quiet: true, debug: false, exclude: [] });
    const [result] = linter.lintFiles([join(ROOT, file)], false) as LintResult[];
    const errors = result.messages.filter((m) => m.type === 'error').map((m) => `${m.rule} (line ${m.line}): ${m.message}`);
    expect(errors).toEqual([]);
    expect(result.errorCount).toBe(0);
  });

  it('carries no external TCP options, which stop KurrentDB 24.2+ from starting', () => {
    expect(read(file)).not.toMatch(/EXT_TCP|EXTERNAL_TCP|ExtTcp|ExternalTcp/i);
  });

  it('configures KurrentDB with KURRENTDB_* settings on a pinned image, with a health check', () => {
    const nodes = services.filter(([, s]) => s.image?.includes('/kurrentdb:'));
    expect(nodes.length).toBeGreaterThan(0);
    for (const [name, node] of nodes) {
      expect([name, node.image]).toEqual([name, expect.stringMatching(/^docker\.kurrent\.io\/kurrent-(latest|lts)\/kurrentdb:\d+\.\d+\.\d+$/)]);
      const keys = Object.keys(environmentOf(node));
      expect(keys.filter((k) => !k.startsWith('KURRENTDB_'))).toEqual([]);
      expect(healthcheckEnabled(node)).toBe(true);
      expect(JSON.stringify(node.healthcheck?.test)).toContain('/health/live');
    }
  });

  it('gives every service a health check, or a dependency with a condition; every awaited health check exists', () => {
    const conditionsOn = (target: string): string[] =>
      services.flatMap(([, s]) => (s.depends_on && !Array.isArray(s.depends_on) && s.depends_on[target]?.condition ? [s.depends_on[target].condition as string] : []));
    for (const [name, service] of services) {
      const dependsOn = service.depends_on;
      const conditions = dependsOn && !Array.isArray(dependsOn) ? Object.values(dependsOn).map((d) => d.condition) : [];
      // A one-shot job (certificates, key file) is guarded by the services that wait for it to complete.
      const awaitedJob = conditionsOn(name).length > 0 && conditionsOn(name).every((c) => c === 'service_completed_successfully');
      const guarded = healthcheckEnabled(service) || awaitedJob || (conditions.length > 0 && conditions.every((c) => typeof c === 'string'));
      expect([name, guarded]).toEqual([name, true]);
      if (dependsOn && !Array.isArray(dependsOn)) {
        for (const [target, dependency] of Object.entries(dependsOn)) {
          expect([name, target, target in compose.services]).toEqual([name, target, true]);
          if (dependency.condition === 'service_healthy') expect([name, target, healthcheckEnabled(compose.services[target])]).toEqual([name, target, true]);
        }
      }
    }
  });

  it('holds no plaintext secret: credentials come from the environment, required ones with ${VAR:?message}', () => {
    for (const [name, service] of services) {
      for (const [key, value] of Object.entries(environmentOf(service))) {
        if (SECRET_NAME.test(key) && !key.includes('PUBLIC_KEY') && !/_(FILE|PATH)$/.test(key)) expect([name, key, value]).toEqual([name, key, expect.stringMatching(INTERPOLATION_WITHOUT_DEFAULT)]);
        // Credentials inside connection strings must be interpolated too.
        const userInfo = /:\/\/([^/@\s]+)@/.exec(value)?.[1];
        if (userInfo !== undefined) expect([name, key, userInfo]).toEqual([name, key, expect.stringMatching(/^[^:]+:\$\{[A-Z0-9_]+(:\?[^}]*)?\}$/)]);
      }
    }
    const text = read(file);
    for (const required of ['CALLSTREAM_SESSION_SECRET', 'CALLSTREAM_ADMIN_PASSWORD', 'TELNYX_API_KEY', 'TELNYX_PUBLIC_KEY']) {
      expect(text).toContain(`\${${required}:?`);
    }
    expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  });

  it('publishes ports on the loopback interface only', () => {
    for (const [name, service] of services) {
      for (const port of service.ports ?? []) expect([name, String(port)]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:/)]);
    }
  });

  it('connects every callstream process to a MongoDB replica set and to the event store', () => {
    const apps = services.filter(([, s]) => typeof s.build === 'object' && s.build.target === 'runtime' && !s.profiles?.includes('simulator'));
    expect(apps.map(([n]) => n).sort()).toEqual(['api', 'projections', 'reactor']);
    for (const [name, app] of apps) {
      const env = environmentOf(app);
      expect([name, env.MONGODB_URL]).toEqual([name, expect.stringMatching(/^mongodb:\/\/.+[?&]replicaSet=rs0/)]);
      expect([name, env.EVENTSTORE_URL]).toEqual([name, expect.stringMatching(/^esdb:\/\/.+:2113/)]);
    }
  });

  it('initiates the MongoDB replica set from a health check', () => {
    const mongos = services.filter(([, s]) => s.image?.startsWith('mongo:') && commandOf(s).includes('--replSet'));
    expect(mongos.length).toBeGreaterThan(0);
    for (const [, mongo] of mongos) expect(commandOf(mongo)).toContain('--replSet rs0');
    expect(mongos.some(([, m]) => JSON.stringify(m.healthcheck?.test).includes('rs.initiate'))).toBe(true);
  });

  it('runs the API as several replicas behind the WebSocket proxy, and one command per app service', () => {
    const { api, proxy, reactor, projections } = compose.services;
    expect(api.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(commandOf(api)).toBe('node dist/api/main.js');
    expect(commandOf(reactor)).toBe('node dist/api/reactorMain.js');
    expect(commandOf(projections)).toBe('node dist/projections/cli.js run');
    expect(proxy.depends_on && !Array.isArray(proxy.depends_on) ? proxy.depends_on.api?.condition : undefined).toBe('service_healthy');
    for (const entry of ['api/main.ts', 'api/reactorMain.ts', 'projections/cli.ts', 'simulator/main.ts']) expect([entry, existsSync(join(ROOT, entry))]).toEqual([entry, true]);
  });

  it('probes the reactor and the projections runner on the ops port each serves (api/observability/opsServer.ts)', () => {
    for (const name of ['reactor', 'projections']) {
      const service = compose.services[name];
      const port = environmentOf(service).CALLSTREAM_OPS_PORT;
      expect([name, port]).toEqual([name, expect.stringMatching(/^\d+$/)]);
      expect([name, healthcheckEnabled(service)]).toEqual([name, true]);
      expect([name, JSON.stringify(service.healthcheck?.test)]).toEqual([name, expect.stringContaining(`http://127.0.0.1:${port}/health/live`)]);
    }
  });

  it('mounts files that exist and builds Dockerfile targets that exist', () => {
    const dockerfile = read('Dockerfile');
    for (const [name, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0] : String(volume.source ?? '');
        if (source.startsWith('./')) expect([name, source, existsSync(join(ROOT, source))]).toEqual([name, source, true]);
      }
      if (typeof service.build === 'object' && service.build.target) expect([name, dockerfile]).toEqual([name, expect.stringMatching(new RegExp(`^FROM \\S+ AS ${service.build.target}$`, 'm'))]);
    }
  });
});

describe('docker-compose.yml, the simulator profile', () => {
  const { services } = load('docker-compose.yml');

  it('runs the simulator only under the `simulator` profile, signing with a key from the environment', () => {
    expect(services.simulator.profiles).toEqual(['simulator']);
    expect(Object.entries(services).filter(([, s]) => s.profiles !== undefined).map(([n]) => n)).toEqual(['simulator']);
    const env = environmentOf(services.simulator);
    expect(env.SIM_PRIVATE_KEY_PEM).toMatch(INTERPOLATION_WITHOUT_DEFAULT);
    expect(env.SIM_WEBHOOK_URL).toBe('http://proxy:8080/webhooks/telnyx');
    expect(env.SIM_FAILOVER_URL).toBe('http://proxy:8080/webhooks/telnyx/failover');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^(?=FROM )/m).filter((s) => s.startsWith('FROM '));
  const stage = (name: string): string => stages.find((s) => s.split('\n')[0].endsWith(` AS ${name}`)) ?? '';

  it('builds in stages and ends with a Node 20 bookworm-slim runtime that runs as a non-root user with a health check', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(stages[stages.length - 1].split('\n')[0]).toBe('FROM ${NODE_IMAGE} AS runtime');
    const runtime = stage('runtime');
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
    expect(runtime).toContain('COPY --from=prod-deps /app/node_modules');
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });

  it('installs with npm ci, builds with npm run build, keeps only production modules, and has a console stage', () => {
    expect(stage('deps')).toContain('npm ci');
    expect(stage('build')).toContain('npm run build');
    expect(stage('prod-deps')).toContain('npm prune --omit=dev');
    expect(stage('console-build')).toMatch(/console\/package\.json/);
    expect(stage('console-build')).toMatch(/console\/angular\.json/);
    expect(stage('console')).toMatch(/^HEALTHCHECK /m);
  });

  it('keeps local state and secrets out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', 'data', '.env', '.git']) expect(ignored).toContain(entry);
  });
});

describe('deploy/nginx/proxy.conf', () => {
  const conf = read('deploy/nginx/proxy.conf');

  it('upgrades WebSockets on /graphql, forwards the client address, and keeps /metrics inside', () => {
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(conf).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
    expect(conf).toMatch(/server api:4000 resolve;/);
    expect(conf).toMatch(/location = \/graphql \{/);
    expect(conf).toMatch(/location \/webhooks\/ \{/);
    expect(conf).toContain('location ~ ^/(health/|recordings(/|$)|console-config\\.json$) {');
    expect(conf).toMatch(/location = \/metrics \{\s*return 404;/);
  });
});

const composePlugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;

(composePlugin ? describe : describe.skip)('docker compose config (where the compose plugin exists)', () => {
  it.each(COMPOSE_FILES)('accepts %s with a complete environment', (file) => {
    const env = {
      ...process.env,
      CALLSTREAM_SESSION_SECRET: 'x'.repeat(48),
      CALLSTREAM_ADMIN_PASSWORD: 'admin-password-1',
      CALLSTREAM_METRICS_TOKEN: 'metrics-token-0123456789',
      CALLSTREAM_PUBLIC_URL: 'https://callstream.example',
      TELNYX_API_KEY: 'KEY_TEST',
      TELNYX_PUBLIC_KEY: Buffer.alloc(32).toString('base64'),
      TELNYX_CONNECTION_ID: 'app',
      TELNYX_CREDENTIAL_CONNECTION_ID: 'creds',
      KURRENTDB_ADMIN_PASSWORD: 'kurrent-admin',
      KURRENTDB_OPS_PASSWORD: 'kurrent-ops',
      MONGO_ROOT_PASSWORD: 'mongo-root',
      MONGO_CALLSTREAM_PASSWORD: 'mongo-callstream',
    };
    expect(() => execFileSync('docker', ['compose', '-f', join(ROOT, file), '--profile', 'simulator', 'config', '--quiet'], { env, stdio: 'pipe' })).not.toThrow();
  });
});
