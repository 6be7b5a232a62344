import { parseArgs } from 'node:util';
import { ENV_NAMES, SimulatorConfigError, mergeOptions, optionsFromEnv, parseSimulatorOptions, setPath, type FaultKind, type FaultsPatch } from './config';
import { SimulatorClient } from './control/client';
import { createSimulator } from './simulator';

const USAGE = `Telnyx simulator

Run it:
  simulator [serve] [--port 4010] [--host 127.0.0.1] [--webhook-url URL] [--failover-url URL]
                    [--scale 1] [--api-key KEY] [--control-key KEY] [--key-file PATH]
                    [--connection-id ID] [--credential-connection-id ID] [--main-number +1555...]
                    [--seed N] [--concurrency N] [--fault KIND=RATE[:PARAM]]...
                    [--phone USER[:answer|reject|ignore|manual]]... [--arrivals CALLS_PER_MINUTE]
  (every option also reads its SIM_* environment variable, e.g. SIM_PORT, SIM_WEBHOOK_URL, SIM_SCALE)

Drive a running simulator (--sim URL or SIM_URL, --key KEY or SIM_CONTROL_KEY / SIM_API_KEY):
  simulator call [--from +1555...] [--ivr 1,2] [--patience SECS] [--talk SECS] [--say TEXT]...
  simulator phone register USER [--mode answer|reject|ignore|manual] [--answer-after SECS] [--handle SECS]
  simulator phone answer|reject|hangup|unregister USER
  simulator phone dial USER NUMBER
  simulator arrivals start --rate CALLS_PER_MINUTE [--patience-mean SECS] [--talk-mean SECS] | arrivals stop
  simulator faults [set KIND=RATE[:PARAM]... | clear]
  simulator counters | calls | world | public-key | reset
  simulator clock [--scale N] [--advance SECS]

Fault kinds: duplicate, reorder (PARAM = window ms), delay (PARAM = ms), dropFirstAttempt,
             rest5xx (PARAM = status), restTimeout (PARAM = hang ms).`;

const FLAG_PATHS: Record<string, string> = {
  host: 'host',
  port: 'port',
  'webhook-url': 'webhookUrl',
  'failover-url': 'failoverUrl',
  scale: 'scale',
  'api-key': 'apiKey',
  'control-key': 'controlKey',
  'key-file': 'keyFile',
  'connection-id': 'connectionId',
  'credential-connection-id': 'credentialConnectionId',
  'main-number': 'mainNumber',
  'public-url': 'publicUrl',
  seed: 'seed',
  concurrency: 'webhooks.concurrency',
  'log-level': 'logLevel',
};
const NUMERIC_FLAGS = new Set(['port', 'scale', 'seed', 'concurrency']);

const FAULT_PARAM: Record<FaultKind, string | undefined> = {
  duplicate: undefined,
  reorder: 'windowMs',
  delay: 'delayMs',
  dropFirstAttempt: undefined,
  rest5xx: 'status',
  restTimeout: 'hangMs',
};

export function parseFaultSpecs(specs: string[]): FaultsPatch {
  const patch: Record<string, Record<string, number>> = {};
  for (const spec of specs) {
    const m = /^([A-Za-z0-9]+)=([0-9.]+)(?::([0-9.]+))?$/.exec(spec);
    if (!m || !(m[1]! in FAULT_PARAM)) throw new SimulatorConfigError(`--fault ${spec}: expected KIND=RATE[:PARAM] with KIND one of ${Object.keys(FAULT_PARAM).join(', ')}`);
    const kind = m[1] as FaultKind;
    const entry: Record<string, number> = { rate: Number(m[2]) };
    const paramName = FAULT_PARAM[kind];
    if (m[3] !== undefined) {
      if (!paramName) throw new SimulatorConfigError(`--fault ${spec}: ${kind} takes no parameter`);
      entry[paramName] = Number(m[3]);
    }
    patch[kind] = entry;
  }
  return patch as FaultsPatch;
}

function print(value: unknown): void {
  console.log(typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      ...Object.fromEntries(Object.keys(FLAG_PATHS).map((k) => [k, { type: 'string' as const }])),
      fault: { type: 'string', multiple: true },
      phone: { type: 'string', multiple: true },
      arrivals: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return print(USAGE);
  const flags: Record<string, unknown> = {};
  const names: Record<string, string> = { ...ENV_NAMES };
  for (const [flag, path] of Object.entries(FLAG_PATHS)) {
    const raw = (values as Record<string, unknown>)[flag];
    if (typeof raw !== 'string') continue;
    const n = Number(raw);
    setPath(flags, path, NUMERIC_FLAGS.has(flag) && raw.trim() !== '' && Number.isFinite(n) ? n : raw);
    names[path] = `--${flag}`;
  }
  const faultSpecs = (values.fault as string[] | undefined) ?? [];
  if (faultSpecs.length > 0) flags.faults = parseFaultSpecs(faultSpecs);
  const options = parseSimulatorOptions(mergeOptions(optionsFromEnv(process.env), flags), names);

  const sim = await createSimulator(options);
  for (const spec of (values.phone as string[] | undefined) ?? []) {
    const [user, mode] = spec.split(':');
    sim.world.registerPhone(user!, mode ? { onRing: mode as 'answer' } : {});
  }
  if (typeof values.arrivals === 'string') sim.world.startArrivals({ ratePerMinute: Number(values.arrivals) });

  print(`Telnyx simulator listening on ${sim.url}`);
  print(`  TELNYX_BASE_URL=${sim.apiBaseUrl}`);
  print(`  TELNYX_API_KEY=${sim.apiKey}`);
  print(`  TELNYX_PUBLIC_KEY=${sim.publicKeyBase64}`);
  print(`  TELNYX_CONNECTION_ID=${sim.options.connectionId}`);
  print(`  TELNYX_CREDENTIAL_CONNECTION_ID=${sim.options.credentialConnectionId}`);
  print(`  SIM_SCALE=${sim.options.scale}`);
  print(`  main number ${sim.options.mainNumber}; webhooks to ${sim.options.webhookUrl ?? '(none yet: PUT /sim/config)'}`);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void sim.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function drive(command: string, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      sim: { type: 'string' },
      key: { type: 'string' },
      from: { type: 'string' },
      ivr: { type: 'string' },
      patience: { type: 'string' },
      talk: { type: 'string' },
      say: { type: 'string', multiple: true },
      mode: { type: 'string' },
      'answer-after': { type: 'string' },
      handle: { type: 'string' },
      rate: { type: 'string' },
      'patience-mean': { type: 'string' },
      'talk-mean': { type: 'string' },
      scale: { type: 'string' },
      advance: { type: 'string' },
    },
  });
  const url = values.sim ?? process.env.SIM_URL ?? `http://127.0.0.1:${process.env.SIM_PORT ?? '4010'}`;
  const key = values.key ?? process.env.SIM_CONTROL_KEY ?? process.env.SIM_API_KEY ?? 'KEY_SIMULATOR';
  const client = new SimulatorClient(url, key);
  const secs = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v) * 1000);

  switch (command) {
    case 'call':
      return print(
        await client.placeCaller({
          from: values.from,
          ivr: values.ivr ? values.ivr.split(',') : undefined,
          patienceMs: secs(values.patience),
          talkMs: secs(values.talk),
          says: values.say,
        }),
      );
    case 'phone': {
      const [sub, user, to] = positionals;
      if (!sub || !user) throw new SimulatorConfigError('phone: expected a subcommand and a SIP username');
      if (sub === 'register') {
        return print(
          await client.registerPhone(user, {
            onRing: values.mode as 'answer' | undefined,
            answerAfterMs: secs(values['answer-after']),
            handleTimeMs: secs(values.handle),
          }),
        );
      }
      if (sub === 'unregister') return print(await client.unregisterPhone(user));
      if (sub === 'dial') {
        if (!to) throw new SimulatorConfigError('phone dial: expected a number to dial');
        return print(await client.phoneDial(user, to));
      }
      if (sub === 'answer' || sub === 'reject' || sub === 'hangup') return print(await client.phoneAction(user, sub));
      throw new SimulatorConfigError(`phone: unknown subcommand '${sub}'`);
    }
    case 'arrivals': {
      if (positionals[0] === 'stop') return print(await client.stopArrivals());
      if (!values.rate) throw new SimulatorConfigError('arrivals start: --rate is required');
      return print(
        await client.startArrivals({
          ratePerMinute: Number(values.rate),
          patienceMeanMs: secs(values['patience-mean']),
          talkMeanMs: secs(values['talk-mean']),
        }),
      );
    }
    case 'faults': {
      if (positionals[0] === 'clear') return print(await client.clearFaults());
      if (positionals[0] === 'set') return print(await client.setFaults(parseFaultSpecs(positionals.slice(1))));
      return print(await client.faults());
    }
    case 'counters':
      return print(await client.counters());
    case 'calls':
      return print(await client.calls());
    case 'world':
      return print(await client.world());
    case 'public-key':
      return print(await client.publicKey());
    case 'reset':
      return print(await client.reset());
    case 'clock':
      if (values.scale) print(await client.setScale(Number(values.scale)));
      if (values.advance) print(await client.advance(Number(values.advance) * 1000));
      return print(await client.clock());
    default:
      throw new SimulatorConfigError(`unknown command '${command}'\n\n${USAGE}`);
  }
}

/** Runs the CLI; resolves with the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first.startsWith('-') || first === 'serve') await serve(first === 'serve' ? rest : argv);
    else if (first === 'help') print(USAGE);
    else await drive(first, rest);
    return 0;
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
