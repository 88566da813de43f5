// Where the token will go, shown on the token step before anything is sent (PROTOCOL §9, UX.md):
// a token pasted with its address shows "Platform: <host>" at once and fills in the address under
// Network settings; a token without one goes to the address already there, or the person is asked
// for it in words (no placeholder is ever offered). When the saved token would go a new way
// (another address, proxy or certificate file), the person pastes it again or confirms explicitly.
import type { NetworkSettings } from '../../shared/ipc/channels.js';
import { isPlaceholderAddress, parsePastedToken, platformHost } from '../../shared/ipc/token-format.js';
import { h, shapeIcon, uid } from '../dom.js';
import type { WizardState } from './wizard-state.js';

/** The id of the platform address field under Network settings, so a pasted address can fill it. */
export const PLATFORM_URL_FIELD = 'platform-url';

export const ASK_FOR_ADDRESS =
  'This token does not say which platform it is for. Type the platform address under Network settings (your platform contact can tell you), or paste the token with its address: it then ends in @ and the address.';

/** The host the token will be sent to, or null when no address is known yet. */
export function destinationHost(s: WizardState): string | null {
  const parsed = s.token.trim() ? parsePastedToken(s.token) : null;
  if (parsed?.ok && parsed.address) return parsed.address.host;
  const typed = s.network.platformUrl.trim();
  return typed && !isPlaceholderAddress(typed) ? platformHost(typed) : null;
}

/** A token pasted with its address: the address becomes the platform address. True when it did. */
export function applyPastedAddress(s: WizardState): boolean {
  const parsed = s.token.trim() ? parsePastedToken(s.token) : null;
  if (!parsed?.ok || !parsed.address || s.network.platformUrl === parsed.address.platformUrl) return false;
  s.network.platformUrl = parsed.address.platformUrl;
  const field = document.getElementById(PLATFORM_URL_FIELD) as HTMLInputElement | null;
  if (field) field.value = parsed.address.platformUrl;
  return true;
}

function sameProxy(a: NetworkSettings, b: NetworkSettings): boolean {
  const proxy = (n: NetworkSettings) => (n.proxyMode === 'manual' ? (n.proxyUrl ?? '').trim() : '');
  return proxy(a) === proxy(b);
}

/** No token pasted, one saved, and the address, proxy or certificate file differ from the saved ones. */
export function savedRouteChanged(s: WizardState): boolean {
  const saved = s.view?.exists && s.view.token.saved ? s.view.network : null;
  if (!saved || s.token.trim()) return false;
  return (
    s.network.platformUrl.trim() !== saved.platformUrl.trim() ||
    !sameProxy(s.network, saved) ||
    (s.network.caFile ?? '').trim() !== (saved.caFile ?? '').trim()
  );
}

/** Why Next may not leave the token step yet, in words; null when it may. */
export function tokenStepProblem(s: WizardState): string | null {
  const parsed = s.token.trim() ? parsePastedToken(s.token) : null;
  if (parsed && !parsed.ok && parsed.problem === 'bad_address') return badAddressWords();
  if ((parsed?.ok || s.view?.token.saved) && destinationHost(s) === null) return ASK_FOR_ADDRESS;
  if (savedRouteChanged(s) && !s.confirmTokenDestination) {
    return 'The platform address, proxy or certificate file changed. Paste the connection token again, or tick “Send the saved token this way”.';
  }
  return null;
}

export function badAddressWords(): string {
  return 'The part after @ is not a platform address. Check you copied all of the token, or ask your platform contact for it again.';
}

/**
 * The "Platform: <host>" line, the request for an address when none is known, and the explicit
 * confirmation for a saved token going a new way. `refresh()` redraws it as the person types.
 */
export function destinationPanel(s: WizardState): { node: HTMLElement; refresh(): void } {
  const line = h('p', { className: 'platform-line', 'data-testid': 'platform-host', 'aria-live': 'polite' });
  const confirmId = uid('confirm');
  const confirmBox = h('input', {
    type: 'checkbox',
    id: confirmId,
    className: 'check__input',
    checked: Boolean(s.confirmTokenDestination),
    'aria-describedby': `${confirmId}-why`,
  });
  confirmBox.addEventListener('change', () => {
    s.confirmTokenDestination = confirmBox.checked;
    s.platformResult = null;
  });
  const confirm = h(
    'div',
    { className: 'check' },
    confirmBox,
    h('label', { for: confirmId, className: 'check__label' }, 'Send the saved token this way'),
    h(
      'p',
      { id: `${confirmId}-why`, className: 'hint' },
      'The platform address, proxy or certificate file is not what the saved token was set up with. The saved token is only sent there if you tick this, or paste the token again.',
    ),
  );
  const node = h('div', { className: 'destination' }, line, confirm);
  const refresh = () => {
    line.textContent = '';
    line.className = 'platform-line';
    const parsed = s.token.trim() ? parsePastedToken(s.token) : null;
    const host = destinationHost(s);
    if (parsed && !parsed.ok && parsed.problem !== 'bad_address') {
      // The token itself is wrong; the check line above says so.
    } else if (parsed && !parsed.ok) {
      line.append(shapeIcon('cross', 16), ` ${badAddressWords()}`);
      line.classList.add('platform-line--ask');
    } else if (host) {
      line.append(`Platform: ${host}`);
      if (parsed?.ok && parsed.address) line.append(h('span', { className: 'hint' }, ' (from the token)'));
    } else if (parsed?.ok || s.view?.token.saved) {
      line.append(ASK_FOR_ADDRESS);
      line.classList.add('platform-line--ask');
    }
    confirm.hidden = !savedRouteChanged(s);
  };
  refresh();
  return { node, refresh };
}
