// Step 2: the connection token, its test against the platform, and the network settings.
import { ENVIRONMENT_LABEL } from '../../../shared/ipc/status-words.js';
import { checkPastedToken } from '../../../shared/ipc/token-format.js';
import { h, shapeIcon } from '../../dom.js';
import {
  applyPastedAddress,
  badAddressWords,
  destinationHost,
  destinationPanel,
  PLATFORM_URL_FIELD,
} from '../token-address.js';
import type { WizardState } from '../wizard-state.js';
import { field, radio, resultBox, type StepActions } from './step-parts.js';

export function tokenStep(s: WizardState, a: StepActions): Array<Node | null> {
  const env = ENVIRONMENT_LABEL[s.environment];
  const input = h('input', {
    type: s.tokenVisible ? 'text' : 'password',
    className: 'token-input',
    value: s.token,
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'token-check',
  });
  const check = h('p', { id: 'token-check', className: 'token-check', 'aria-live': 'polite' });
  const showCheck = () => {
    check.textContent = '';
    check.className = 'token-check';
    if (!s.token.trim()) return;
    const result = checkPastedToken(s.token, s.environment);
    if (result.ok) {
      const next = destinationHost(s) ? ' Press Test connection to try it.' : '';
      check.append(shapeIcon('tick', 16), ` This is a ${env} token.${next}`);
      check.classList.add('token-check--ok');
    } else if (result.problem === 'bad_address') {
      check.append(shapeIcon('cross', 16), ` ${badAddressWords()}`);
      check.classList.add('token-check--bad');
    } else if (result.problem === 'wrong_environment') {
      const other = ENVIRONMENT_LABEL[result.environment ?? 'demo'];
      check.append(
        shapeIcon('cross', 16),
        ` This token is for ${other}, but you chose ${env}. Paste a ${env} token, or go back and choose ${other}.`,
      );
      check.classList.add('token-check--bad');
    } else {
      check.append(
        shapeIcon('cross', 16),
        ' This does not look like a connection token. Check you copied all of it: it starts with cc_.',
      );
      check.classList.add('token-check--bad');
    }
  };
  const destination = destinationPanel(s);
  const network = networkSettings(s, () => refreshDestination());
  const refreshDestination = () => {
    showCheck();
    destination.refresh();
    // Asked for an address: show where it goes.
    if (destination.node.querySelector('.platform-line--ask')) network.open = true;
  };
  input.addEventListener('input', () => {
    s.token = input.value;
    s.platformResult = null;
    // Shown before anything is sent: where the token will go.
    applyPastedAddress(s);
    refreshDestination();
  });
  refreshDestination();
  const toggle = h(
    'button',
    {
      type: 'button',
      className: 'secondary',
      'aria-pressed': String(s.tokenVisible),
      onClick: () => {
        s.tokenVisible = !s.tokenVisible;
        input.type = s.tokenVisible ? 'text' : 'password';
        toggle.setAttribute('aria-pressed', String(s.tokenVisible));
        toggle.textContent = s.tokenVisible ? 'Hide' : 'Show';
      },
    },
    s.tokenVisible ? 'Hide' : 'Show',
  );
  const saved = s.view?.token.saved
    ? h('p', { className: 'note' }, `A token is saved (${s.view.token.masked}). Paste a new one only to replace it.`)
    : null;
  let result: Node | null = null;
  if (s.busy) result = resultBox('busy', 'Testing the connection…');
  else if (s.platformResult) {
    const r = s.platformResult;
    result = resultBox(r.outcome === 'connected' ? 'ok' : 'bad', r.message, r.detail, 'platform-result');
  }
  return [
    h('h2', { tabindex: -1 }, 'Connection token'),
    h(
      'p',
      {},
      `Paste the connection token your platform contact sent you for ${env}. It starts with cc_${s.environment}_.`,
    ),
    saved,
    h(
      'div',
      { className: 'field' },
      h('label', { for: 'token', className: 'field__label' }, 'Connection token'),
      h('div', { className: 'token-row' }, Object.assign(input, { id: 'token' }), toggle),
    ),
    check,
    destination.node,
    h(
      'div',
      { className: 'row' },
      h('button', { type: 'button', onClick: () => a.testPlatform(), disabled: s.busy }, 'Test connection'),
    ),
    h('div', { className: 'result-area', 'aria-live': 'polite' }, result),
    network,
  ];
}

function networkSettings(s: WizardState, onChange: () => void): HTMLDetailsElement {
  // No example address in the field: an address that only looks real must never be sent anything.
  const url = h('input', {
    type: 'text',
    id: PLATFORM_URL_FIELD,
    value: s.network.platformUrl,
    spellcheck: 'false',
  });
  url.addEventListener('input', () => {
    s.network.platformUrl = url.value;
    onChange();
  });
  const proxyUrl = h('input', {
    type: 'text',
    value: s.network.proxyUrl ?? '',
    placeholder: 'http://proxy.example-trust.nhs.uk:8080',
    disabled: s.network.proxyMode !== 'manual',
  });
  proxyUrl.addEventListener('input', () => {
    s.network.proxyUrl = proxyUrl.value;
    onChange();
  });
  const pick = (mode: 'system' | 'manual') => () => {
    s.network.proxyMode = mode;
    proxyUrl.disabled = mode !== 'manual';
    if (mode === 'manual') proxyUrl.focus();
    onChange();
  };
  const ca = h('input', { type: 'text', value: s.network.caFile ?? '', placeholder: 'C:\\Certificates\\proxy-ca.pem' });
  ca.addEventListener('input', () => {
    s.network.caFile = ca.value;
    onChange();
  });
  const open = s.network.proxyMode === 'manual' || Boolean(s.network.caFile);
  return h(
    'details',
    { className: 'network', open },
    h('summary', {}, 'Network settings'),
    field(
      'Platform address',
      url,
      'Filled in from the token when it ends in @ and an address; otherwise the address your platform contact gives you.',
    ),
    h(
      'fieldset',
      { className: 'choices choices--compact' },
      h('legend', {}, 'Proxy'),
      radio(
        'proxy',
        'system',
        s.network.proxyMode === 'system',
        'Use Windows settings',
        'Recommended. Uses the same proxy as this computer.',
        pick('system'),
      ),
      radio(
        'proxy',
        'manual',
        s.network.proxyMode === 'manual',
        'Use this proxy',
        'Only if your IT team gave you a proxy address.',
        pick('manual'),
      ),
      field('Proxy address', proxyUrl),
    ),
    field('Certificate file (optional)', ca, 'Only if your IT team gave you one for their network.'),
  );
}
