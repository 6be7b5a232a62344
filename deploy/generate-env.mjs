#!/usr/bin/env node
// Writes the .env that docker-compose.yml reads: fresh random secrets, and either the Telnyx
// simulator's settings (a new Ed25519 signing key pair) or empty Telnyx values to fill in.
//
//   node deploy/generate-env.mjs --simulator --out .env
//   node deploy/generate-env.mjs --telnyx --out .env      # then set the TELNYX_* values
//   node deploy/generate-env.mjs --cluster --telnyx --out .env.cluster
//
// The file holds secrets: it is written with mode 0600 and must never be committed.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    simulator: { type: 'boolean', default: false },
    telnyx: { type: 'boolean', default: false },
    cluster: { type: 'boolean', default: false },
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    'public-url': { type: 'string', default: 'http://localhost:8080' },
  },
});

if (values.simulator === values.telnyx) {
  process.stderr.write('Choose one of --simulator or --telnyx.\n');
  process.exit(2);
}
if (values.out && existsSync(values.out) && !values.force) {
  process.stderr.write(`${values.out} exists; pass --force to replace it (its secrets will change).\n`);
  process.exit(2);
}

const secret = (bytes = 32) => randomBytes(bytes).toString('base64url');
// A double-quoted .env value: compose turns \n back into newlines.
const quoted = (value) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

const lines = [
  '# callstream secrets for docker compose. Never commit this file.',
  `CALLSTREAM_PUBLIC_URL=${values['public-url']}`,
  `CALLSTREAM_SESSION_SECRET=${secret(48)}`,
  'CALLSTREAM_ADMIN_USERNAME=admin',
  `CALLSTREAM_ADMIN_PASSWORD=${secret(18)}`,
  `CALLSTREAM_METRICS_TOKEN=${secret(24)}`,
];

if (values.cluster) {
  lines.push(
    '',
    '# docker-compose.cluster.yml: store credentials',
    `KURRENTDB_ADMIN_PASSWORD=${secret(24)}`,
    `KURRENTDB_OPS_PASSWORD=${secret(24)}`,
    `MONGO_ROOT_PASSWORD=${secret(24)}`,
    `MONGO_CALLSTREAM_PASSWORD=${secret(24)}`,
  );
}

if (values.simulator) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const apiKey = `KEY${secret(24)}`;
  lines.push(
    '',
    '# The Telnyx simulator stands in for Telnyx (the `simulator` profile).',
    'COMPOSE_PROFILES=simulator',
    'TELNYX_BASE_URL=http://simulator:4010/v2',
    `TELNYX_API_KEY=${apiKey}`,
    // The 32 raw key bytes close the SPKI encoding of an Ed25519 public key.
    `TELNYX_PUBLIC_KEY=${spki.subarray(spki.length - 32).toString('base64')}`,
    'TELNYX_CONNECTION_ID=sim-call-control-app',
    'TELNYX_CREDENTIAL_CONNECTION_ID=sim-credential-connection',
    `SIM_PRIVATE_KEY_PEM=${quoted(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())}`,
    `SIM_CONTROL_KEY=${secret(24)}`,
    'SIM_URL=http://simulator:4010',
    // Browsers reach the simulator's softphone endpoint on the published loopback port.
    'CALLSTREAM_RTC_HOST=ws://localhost:4010/rtc',
    'SIM_SCALE=1',
  );
} else {
  lines.push(
    '',
    '# Telnyx (docs/deploy.md, "Running with real Telnyx"): fill these in.',
    'TELNYX_API_KEY=',
    'TELNYX_PUBLIC_KEY=',
    'TELNYX_CONNECTION_ID=',
    'TELNYX_CREDENTIAL_CONNECTION_ID=',
  );
}

const text = `${lines.join('\n')}\n`;
if (values.out) {
  writeFileSync(values.out, text, { mode: 0o600 });
  process.stderr.write(`wrote ${values.out}\n`);
} else {
  process.stdout.write(text);
}
