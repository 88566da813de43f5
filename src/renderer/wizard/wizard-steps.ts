// The body of each wizard step. Each function builds its step from the state and writes changes
// back into it; the frame (wizard.ts) does navigation, focus and saving.
import type { IntegrationInput } from '../../shared/ipc/channels.js';
import { maskProxyPassword } from '../../shared/ipc/proxy-url.js';
import { ENVIRONMENT_LABEL } from '../../shared/ipc/status-words.js';
import { checkPastedToken } from '../../shared/ipc/token-format.js';
import type { Patient } from '../../shared/protocol/methods.js';
import { h, shapeIcon, uid } from '../dom.js';
import { buildIntegration, type KindSpec, kindSpec, LOOKUP_KINDS, STORE_KINDS } from './kinds.js';
import {
  applyPastedAddress,
  badAddressWords,
  destinationHost,
  destinationPanel,
  PLATFORM_URL_FIELD,
} from './token-address.js';
import { type IntegrationChoice, NONE, type WizardState } from './wizard-state.js';

export interface StepActions {
  rerender(): void;
  testPlatform(): void;
  testLookup(): void;
  testStore(): void;
  setEnvironment(env: WizardState['environment']): void;
}

function radio(name: string, value: string, checked: boolean, label: string, sentence: string, onPick: () => void) {
  const id = uid('opt');
  return h(
    'div',
    { className: 'choice' },
    h('input', { type: 'radio', className: 'choice__input', id, name, value, checked, onChange: onPick }),
    h(
      'label',
      { for: id, className: 'choice__label' },
      h('span', { className: 'choice__title' }, label),
      h('span', { className: 'choice__sentence' }, sentence),
    ),
  );
}

function field(label: string, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string) {
  const id = input.id || uid('field');
  input.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { className: 'field' },
    h('label', { for: id, className: 'field__label' }, label),
    input,
    hintId ? h('p', { id: hintId, className: 'hint' }, hint) : null,
  );
}

function resultBox(tone: 'ok' | 'bad' | 'busy', message: string, detail?: string | null, testId?: string) {
  return h(
    'div',
    { className: `result result--${tone}`, 'data-testid': testId },
    tone === 'busy' ? null : shapeIcon(tone === 'ok' ? 'tick' : 'cross', 20),
    h(
      'div',
      {},
      h('p', { className: 'result__message' }, message),
      detail ? h('p', { className: 'detail' }, detail) : null,
    ),
  );
}

export function environmentStep(s: WizardState, a: StepActions): Array<Node | null> {
  const configured = s.view?.exists;
  return [
    h('h2', { tabindex: -1 }, 'Which environment?'),
    h('p', {}, 'Set up one at a time. You can set up the other one afterwards: each has its own token.'),
    h(
      'fieldset',
      { className: 'choices' },
      h('legend', { className: 'visually-hidden' }, 'Environment'),
      radio(
        'environment',
        'demo',
        s.environment === 'demo',
        'Demo',
        'For testing with made-up patients. Never real patient data.',
        () => a.setEnvironment('demo'),
      ),
      radio(
        'environment',
        'production',
        s.environment === 'production',
        'Production',
        'For real patients, once your platform contact says you are ready.',
        () => a.setEnvironment('production'),
      ),
    ),
    configured
      ? h(
          'p',
          { className: 'note' },
          `${ENVIRONMENT_LABEL[s.environment]} is already set up. Your changes replace it only when you press Start.`,
        )
      : null,
  ];
}

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

function kindChooser(
  name: string,
  table: Record<string, KindSpec>,
  available: string[],
  choice: IntegrationChoice,
  noneSentence: string,
  a: StepActions,
): Node {
  return h(
    'fieldset',
    { className: 'choices choices--compact' },
    h('legend', { className: 'visually-hidden' }, 'Kind'),
    ...available.map((kind) => {
      const spec = kindSpec(table, kind);
      return radio(name, kind, choice.kind === kind, spec.label, spec.sentence, () => {
        choice.kind = kind;
        choice.values = {};
        choice.extra = '';
        a.rerender();
      });
    }),
    radio(name, NONE, choice.kind === NONE, 'None', noneSentence, () => {
      choice.kind = NONE;
      a.rerender();
    }),
  );
}

function kindForm(spec: KindSpec, choice: IntegrationChoice): Array<Node | null> {
  const nodes: Node[] = spec.fields.map((f) => {
    const current = choice.values[f.key] ?? f.defaultValue ?? '';
    choice.values[f.key] = current;
    let input: HTMLInputElement | HTMLSelectElement;
    if (f.options) {
      input = h('select', {}, ...f.options.map((o) => h('option', { value: o, selected: o === current }, o)));
      choice.values[f.key] = current || (f.options[0] as string);
    } else {
      input = h('input', {
        type: 'text',
        value: current,
        placeholder: `e.g. ${f.placeholder}`,
        spellcheck: 'false',
        'data-key': f.key,
      });
    }
    input.addEventListener('input', () => {
      choice.values[f.key] = input.value;
    });
    input.addEventListener('change', () => {
      choice.values[f.key] = input.value;
    });
    return field(f.required ? f.label : `${f.label} (optional)`, input, f.hint);
  });
  const extra = h('textarea', { rows: 4, spellcheck: 'false', placeholder: '{ "auth": { "type": "basic", … } }' });
  extra.value = choice.extra;
  extra.addEventListener('input', () => {
    choice.extra = extra.value;
  });
  nodes.push(
    h(
      'details',
      { className: 'more', open: spec.fields.length === 0 && choice.extra !== '' ? true : choice.extra !== '' },
      h('summary', {}, 'More settings (JSON)'),
      field(
        'More settings',
        extra,
        'For your IT team or the platform’s support: other keys of this kind, as in the README.',
      ),
    ),
  );
  return nodes;
}

/** The chosen kind as config, or a sentence saying what is missing. */
export function integrationFrom(
  table: Record<string, KindSpec>,
  choice: IntegrationChoice,
): IntegrationInput | null | string {
  if (choice.kind === NONE) return null;
  const spec = kindSpec(table, choice.kind);
  const missing = spec.fields.find((f) => f.required && !(choice.values[f.key] ?? '').trim());
  if (missing) return `Fill in “${missing.label}”.`;
  try {
    return buildIntegration(choice.kind, choice.values, choice.extra, spec);
  } catch {
    return 'More settings is not valid JSON. Check the brackets and quotes, or leave it empty.';
  }
}

export function lookupStep(s: WizardState, a: StepActions): Array<Node | null> {
  const available = s.view?.available.patientLookup ?? [];
  const spec = kindSpec(LOOKUP_KINDS, s.lookup.kind);
  const nodes: Array<Node | null> = [
    h('h2', { tabindex: -1 }, 'Patient lookup'),
    h('p', {}, 'Where should patient details come from when the platform looks a patient up?'),
    kindChooser('lookup', LOOKUP_KINDS, available, s.lookup, 'This computer will not answer patient lookups.', a),
  ];
  if (s.lookup.kind === NONE) return nodes;
  nodes.push(...kindForm(spec, s.lookup));
  const testInput = h('input', {
    type: 'text',
    id: 'test-id',
    value: s.testId,
    autocomplete: 'off',
    placeholder: s.lookup.kind === 'demo' ? 'e.g. D100000' : 'e.g. a test patient’s hospital or NHS number',
  });
  testInput.addEventListener('input', () => {
    s.testId = testInput.value;
  });
  testInput.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      a.testLookup();
    }
  });
  let result: Node | null = null;
  if (s.busy) result = resultBox('busy', 'Looking up…');
  else if (s.lookupResult) {
    const r = s.lookupResult;
    result = h(
      'div',
      { 'data-testid': 'lookup-result' },
      resultBox(r.outcome === 'found' ? 'ok' : 'bad', r.message, `${r.durationMs} ms`),
      r.patient ? patientCard(r.patient) : null,
    );
  }
  nodes.push(
    h(
      'section',
      { className: 'test-box', 'aria-labelledby': 'test-lookup-title' },
      h('h3', { id: 'test-lookup-title' }, 'Test lookup'),
      h(
        'p',
        { className: 'hint' },
        'Type a test patient’s number and see what the platform would receive. Nothing is saved.',
      ),
      h(
        'div',
        { className: 'row' },
        field('Test patient’s number', testInput),
        h('button', { type: 'button', onClick: () => a.testLookup(), disabled: s.busy }, 'Test lookup'),
      ),
      h('div', { className: 'result-area', 'aria-live': 'polite' }, result),
    ),
  );
  return nodes;
}

const GENDER: Record<Patient['gender'], string> = {
  male: 'Male',
  female: 'Female',
  other: 'Other',
  unknown: 'Unknown',
};

function formatDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${d} ${months[(m ?? 1) - 1]} ${y}`;
}

/** Laid out as the platform shows a patient: name first, then the identifiers and contact details. */
function patientCard(p: Patient): Node {
  const name = [p.title, p.firstName, p.middleNames, p.familyName].filter(Boolean).join(' ');
  const nhs = p.nationalIdentifier ? p.nationalIdentifier.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3') : '—';
  const rows: [string, string][] = [
    ['Date of birth', formatDate(p.dateOfBirth)],
    ['Gender', GENDER[p.gender]],
    ['Hospital number', p.localIdentifier],
    ['NHS number', nhs],
    ['Email', p.email ?? '—'],
    ['Mobile', p.mobile ?? '—'],
    ['Test patient', p.isTestPatient ? 'Yes' : 'No'],
  ];
  return h(
    'div',
    { className: 'patient-card' },
    h('p', { className: 'patient-card__name' }, name),
    h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
  );
}

export function storeStep(s: WizardState, a: StepActions): Array<Node | null> {
  const available = s.view?.available.consentStore ?? [];
  const nodes: Array<Node | null> = [
    h('h2', { tabindex: -1 }, 'Consent documents'),
    h('p', {}, 'Where should signed consent forms (PDF) be filed?'),
    kindChooser(
      'store',
      STORE_KINDS,
      available,
      s.store,
      'Signed forms stay on the platform; nothing is filed here.',
      a,
    ),
  ];
  if (s.store.kind === NONE) return nodes;
  nodes.push(...kindForm(kindSpec(STORE_KINDS, s.store.kind), s.store));
  let result: Node | null = null;
  if (s.busy) result = resultBox('busy', 'Testing…');
  else if (s.storeResult)
    result = resultBox(s.storeResult.ok ? 'ok' : 'bad', s.storeResult.message, null, 'store-result');
  nodes.push(
    h(
      'section',
      { className: 'test-box', 'aria-labelledby': 'test-store-title' },
      h('h3', { id: 'test-store-title' }, 'Test'),
      h(
        'p',
        { className: 'hint' },
        'Writes a small test file and removes it again, to check this computer may file documents there.',
      ),
      h(
        'div',
        { className: 'row' },
        h('button', { type: 'button', onClick: () => a.testStore(), disabled: s.busy }, 'Test'),
      ),
      h('div', { className: 'result-area', 'aria-live': 'polite' }, result),
    ),
  );
  return nodes;
}

export function doneStep(s: WizardState): Array<Node | null> {
  const env = ENVIRONMENT_LABEL[s.environment];
  let host = s.network.platformUrl;
  try {
    host = new URL(s.network.platformUrl).host;
  } catch {
    // shown as typed
  }
  const tokenWords = s.token.trim()
    ? 'New token pasted'
    : s.view?.token.saved
      ? `Saved token (${s.view.token.masked})`
      : 'None';
  const describe = (table: Record<string, KindSpec>, c: IntegrationChoice) => {
    if (c.kind === NONE) return 'None';
    const spec = kindSpec(table, c.kind);
    const main = spec.fields[0] ? c.values[spec.fields[0].key] : '';
    return main ? `${spec.label}: ${main}` : spec.label;
  };
  const rows: [string, string][] = [
    ['Environment', env],
    ['Platform', host + (s.platformResult?.tenant ? ` (as ${s.platformResult.tenant})` : '')],
    ['Connection token', tokenWords],
    ['Proxy', s.network.proxyMode === 'manual' ? maskProxyPassword(s.network.proxyUrl ?? '') : 'Windows settings'],
    ['Patient lookup', describe(LOOKUP_KINDS, s.lookup)],
    ['Consent documents', describe(STORE_KINDS, s.store)],
  ];
  const id = uid('login');
  const box = h('input', {
    type: 'checkbox',
    className: 'check__input',
    id,
    checked: s.startAtLogin,
    'aria-describedby': `${id}-why`,
  });
  box.addEventListener('change', () => {
    s.startAtLogin = box.checked;
  });
  return [
    h('h2', { tabindex: -1 }, 'Ready to start'),
    h('p', {}, 'Check your choices. Nothing is saved until you press Start.'),
    h('dl', { className: 'summary' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h(
      'div',
      { className: 'check' },
      box,
      h('label', { for: id, className: 'check__label' }, 'Start Cloud Connector when I sign in'),
      h(
        'p',
        { id: `${id}-why`, className: 'hint' },
        'So that patient lookups keep working after this computer restarts.',
      ),
    ),
    s.view?.secretStorage ? h('p', { className: 'hint' }, `The token will be kept in ${s.view.secretStorage}.`) : null,
  ];
}
