// Step 5: the summary of the choices, start at sign-in, and Start.
import { maskProxyPassword } from '../../../shared/ipc/proxy-url.js';
import { ENVIRONMENT_LABEL } from '../../../shared/ipc/status-words.js';
import { h, uid } from '../../dom.js';
import { isShown, type KindSpec, kindSpec, LOOKUP_KINDS, STORE_KINDS } from '../kinds.js';
import { type IntegrationChoice, NONE, type WizardState } from '../wizard-state.js';

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
    // The first thing typed that says where (address, server, folder), not a choice such as the driver.
    const where = spec.fields.find(
      (f) => (f.input === undefined || f.input === 'folder') && isShown(spec, f, c.values) && c.values[f.key]?.trim(),
    );
    const main = where ? c.values[where.key] : '';
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
