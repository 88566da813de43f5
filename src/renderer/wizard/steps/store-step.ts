// Step 4: where signed consent forms are filed, and a write test.
import { h } from '../../dom.js';
import { kindSpec, STORE_KINDS } from '../kinds.js';
import { NONE, type WizardState } from '../wizard-state.js';
import { kindChooser, kindForm, moreSettings, settingsFileRow } from './integration-form.js';
import { resultBox, type StepActions } from './step-parts.js';

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
    settingsFileRow('consentStore', s.store, a),
  ];
  if (s.store.kind === NONE) return nodes;
  nodes.push(...kindForm('consentStore', kindSpec(STORE_KINDS, s.store.kind), s.store, s, a));
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
        s.store.kind === 'folder'
          ? 'Writes a small test file and removes it again, to check this computer may file documents there.'
          : 'Files one clearly named test document and reads it back, to check this computer may file documents there.',
      ),
      h(
        'div',
        { className: 'row' },
        h('button', { type: 'button', onClick: () => a.testStore(), disabled: s.busy }, 'Test'),
      ),
      h('div', { className: 'result-area', 'aria-live': 'polite' }, result),
    ),
    moreSettings('consentStore', s.store),
  );
  return nodes;
}
