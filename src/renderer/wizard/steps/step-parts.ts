// Pieces every wizard step uses: the actions a step may ask of the frame, radio choices, labelled
// fields and the result box of a test.
import { h, shapeIcon, uid } from '../../dom.js';
import type { IntegrationChoice, WizardState } from '../wizard-state.js';

export interface StepActions {
  rerender(): void;
  testPlatform(): void;
  testLookup(): void;
  testStore(): void;
  setEnvironment(env: WizardState['environment']): void;
  /** Runs the database query for the test patient and offers its column names. */
  runMapping(): void;
  pickPath(choice: IntegrationChoice, key: string, kind: 'folder' | 'certificate'): void;
  importSettings(section: 'patientLookup' | 'consentStore', text: string, fileName: string): void;
  exportSettings(section: 'patientLookup' | 'consentStore'): void;
}

export function radio(
  name: string,
  value: string,
  checked: boolean,
  label: string,
  sentence: string,
  onPick: () => void,
) {
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

export function field(label: string, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string) {
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

export function resultBox(tone: 'ok' | 'bad' | 'busy', message: string, detail?: string | null, testId?: string) {
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
