// `cloud-connector token new`: mint a token, print it once, store only its hash.

import { createToken } from '../../hub/tokens-file.js';
import { parseTokenAddress, tokenWithAddress } from '../../shared/ipc/token-format.js';
import { environmentSchema } from '../../shared/protocol/index.js';
import { parseCommandArgs, required, UsageError } from './args.js';

const USAGE =
  'cloud-connector token new --tenant T --environment demo|production --tokens FILE [--label TEXT] [--address HOST[:PORT][/PATH]]';

export async function token(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      tenant: { type: 'string' },
      environment: { type: 'string' },
      tokens: { type: 'string' },
      label: { type: 'string' },
      address: { type: 'string' },
    },
    USAGE,
  );
  if (positionals[0] !== 'new') throw new UsageError(`Usage: ${USAGE}`);
  const env = environmentSchema.safeParse(values.environment);
  if (!env.success) throw new UsageError(`--environment must be demo or production.\n\nUsage: ${USAGE}`);
  const tenant = required(values.tenant, '--tenant', USAGE);
  const tokensFile = required(values.tokens, '--tokens', USAGE);
  // Checked before minting: a token whose address cannot be read back is no use to anyone.
  const address = values.address === undefined ? null : parseTokenAddress(values.address);
  if (values.address !== undefined && !address) {
    throw new UsageError(
      `--address must be the platform's host name, with an optional :port and /path (wss:// and /connector/v1 are implied).\n\nUsage: ${USAGE}`,
    );
  }
  const minted = createToken({ tokensFile, tenant, environment: env.data, label: values.label });
  process.stderr.write(`New ${env.data} token for tenant ${tenant}; its hash was added to ${tokensFile}.\n`);
  process.stderr.write('This is the only time the token is shown. Paste it into the connector set-up now.\n');
  if (address)
    process.stderr.write(`It carries the platform address ${address.host}: the set-up shows it before connecting.\n`);
  process.stdout.write(`${address ? tokenWithAddress(minted, address.platformUrl) : minted}\n`);
  return 0;
}
