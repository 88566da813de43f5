// Where a token may be sent, decided before anything is: a token pasted with its address goes
// only to that address (PROTOCOL §9); a bare token to the address in Network settings; and when
// there is no address at all — nothing configured, nothing built in, or only a placeholder — the
// person is asked for one in words instead of the connector guessing.
import type { NetworkSettings } from '../../shared/ipc/channels.js';
import { ENVIRONMENT_LABEL } from '../../shared/ipc/status-words.js';
import {
  isPlaceholderAddress,
  type ParsedToken,
  platformHost,
  type TokenAddress,
} from '../../shared/ipc/token-format.js';
import type { Environment } from '../../shared/protocol/index.js';

export type DestinationResult =
  | { ok: true; network: NetworkSettings }
  | { ok: false; field: 'token' | 'network.platformUrl'; message: string };

export const ASK_FOR_ADDRESS =
  'Type the platform address under Network settings, or paste the token with its address (it then ends in @ and the address). Your platform contact can give you either.';

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a.trim()).href === new URL(b.trim()).href;
  } catch {
    return false;
  }
}

/** The network settings the token will really use, or why it may not be sent anywhere. */
export function destinationFor(network: NetworkSettings, address: TokenAddress | null): DestinationResult {
  const typed = network.platformUrl.trim();
  if (address) {
    if (typed && !isPlaceholderAddress(typed) && !sameUrl(typed, address.platformUrl)) {
      return {
        ok: false,
        field: 'token',
        message: `This token is for the platform at ${address.host}, but Network settings name ${platformHost(typed) ?? 'another address'}. Clear the platform address under Network settings, or paste the token meant for that address.`,
      };
    }
    return { ok: true, network: { ...network, platformUrl: address.platformUrl } };
  }
  if (!typed || isPlaceholderAddress(typed)) {
    return { ok: false, field: 'network.platformUrl', message: ASK_FOR_ADDRESS };
  }
  return { ok: true, network: { ...network, platformUrl: typed } };
}

/** A pasted string that is not a usable token, in words; null when it is one for this environment. */
export function pastedTokenProblem(parsed: ParsedToken, environment: Environment): string | null {
  const name = ENVIRONMENT_LABEL[environment];
  if (parsed.ok) {
    if (parsed.environment === environment) return null;
    return `This token is not for ${name}. Paste a token created for ${name}.`;
  }
  if (parsed.problem === 'bad_address') {
    return 'The part after @ is not a platform address. Check you copied all of the token, or ask your platform contact for it again.';
  }
  return 'This does not look like a connection token. Check you copied all of it.';
}
