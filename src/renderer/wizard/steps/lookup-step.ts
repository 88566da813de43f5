// Step 3: where patient details come from, and a test lookup for a patient the person types.
import { h } from '../../dom.js';
import { kindSpec, LOOKUP_KINDS } from '../kinds.js';
import { NONE, type WizardState } from '../wizard-state.js';
import { kindChooser, kindForm } from './integration-form.js';
import { patientCard } from './patient-card.js';
import { field, resultBox, type StepActions } from './step-parts.js';

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
