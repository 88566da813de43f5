#!/usr/bin/env node
// Headless entry: `cloud-connector <command> …`. Each command lives in its own file under cli/.
import { UsageError } from './cli/args.js';
import { ConfigError } from './config/config-error.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'run the connector headless (--config FILE)', load: async () => (await import('./cli/run.js')).run },
  hub: {
    summary: 'run the reference platform (--port N --tokens FILE --api-key-file FILE)',
    load: async () => (await import('./cli/hub.js')).hub,
  },
  token: {
    summary: 'token new --tenant T --environment demo|production --tokens FILE',
    load: async () => (await import('./cli/token.js')).token,
  },
  check: {
    summary: 'check a config: platform, token, data sources (--config FILE [--lookup ID] [--json])',
    load: async () => (await import('./cli/check.js')).check,
  },
  service: {
    summary: "run as a Windows service or Linux daemon, with the tray app's control channel (--help)",
    load: async () => (await import('./cli/service.js')).service,
  },
  audit: {
    summary: 'audit verify|tail|stats|export (--db FILE | --config FILE)',
    load: async () => (await import('./cli/audit.js')).audit,
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(7)} ${c.summary}`);
  return `Usage: cloud-connector <command> [options]\n\nCommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await command.load())(rest);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`cloud-connector failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
