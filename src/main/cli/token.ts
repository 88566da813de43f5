// `cloud-connector token new`: mint a token, print it once, store only its hash.

import { createToken } from '../../hub/tokens-file.js';
import { environmentSchema } from '../../shared/protocol/index.js';
import { parseCommandArgs, required, UsageError } from './args.js';

const USAGE = 'cloud-connector token new --tenant T --environment demo|production --tokens FILE [--label TEXT]';

export async function token(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      tenant: { type: 'string' },
      environment: { type: 'string' },
      tokens: { type: 'string' },
      label: { type: 'string' },
    },
    USAGE,
  );
  if (positionals[0] !== 'new') throw new UsageError(`Usage: ${USAGE}`);
  const env = environmentSchema.safeParse(values.environment);
  if (!env.success) throw new UsageError(`--environment must be demo or production.\n\nUsage: ${USAGE}`);
  const tenant = required(values.tenant, '--tenant', USAGE);
  const tokensFile = required(values.tokens, '--tokens', USAGE);
  const minted = createToken({ tokensFile, tenant, environment: env.data, label: values.label });
  process.stderr.write(`New ${env.data} token for tenant ${tenant}; its hash was added to ${tokensFile}.\n`);
  process.stderr.write('This is the only time the token is shown. Paste it into the connector set-up now.\n');
  process.stdout.write(`${minted}\n`);
  return 0;
}
