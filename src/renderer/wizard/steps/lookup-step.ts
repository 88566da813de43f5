// Step 3: where patient details come from; for a database, which column holds each detail; and a
// test lookup for a patient the person types.
import { h } from '../../dom.js';
import { kindSpec, LOOKUP_KINDS } from '../kinds.js';
import { NONE, type WizardState } from '../wizard-state.js';
import { columnMapping } from './column-mapping.js';
import { kindChooser, kindForm, moreSettings, settingsFileRow } from './integration-form.js';
import { patientCard } from './patient-card.js';
import { field, resultBox, type StepActions } from './step-parts.js';

export function lookupStep(s: WizardState, a: StepActions): Array<Node | null> {
  const available = s.view?.available.patientLookup ?? [];
  const spec = kindSpec(LOOKUP_KINDS, s.lookup.kind);
  const nodes: Array<Node | null> = [
    h('h2', { tabindex: -1 }, 'Patient lookup'),
    h('p', {}, 'Where should patient details come from when the platform looks a patient up?'),
    kindChooser('lookup', LOOKUP_KINDS, available, s.lookup, 'This computer will not answer patient lookups.', a),
    settingsFileRow('patientLookup', s.lookup, a),
  ];
  if (s.lookup.kind === NONE) return nodes;
  nodes.push(...kindForm('patientLookup', spec, s.lookup, s, a));
  const testInput = h('input', {
    type: 'text',
    id: 'test-id',
    value: s.testId,
    autocomplete: 'off',
    placeholder: spec.testHint ?? 'e.g. a test patient’s hospital or NHS number',
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
  if (s.busy) result = resultBox('busy', 'Working…');
  else if (s.lookupResult) {
    const r = s.lookupResult;
    result = h(
      'div',
      { 'data-testid': 'lookup-result' },
      resultBox(r.outcome === 'found' ? 'ok' : 'bad', r.message, `${r.durationMs} ms`),
      r.patient ? patientCard(r.patient) : null,
    );
  }
  const isSql = s.lookup.kind === 'sql';
  nodes.push(
    h(
      'section',
      { className: 'test-box', 'aria-labelledby': 'test-lookup-title' },
      h('h3', { id: 'test-lookup-title' }, isSql ? 'Test patient' : 'Test lookup'),
      h(
        'p',
        { className: 'hint' },
        isSql
          ? 'Type a test patient’s number. “Run with the test patient” shows which columns the query returns; “Test lookup” shows what the platform would receive. Nothing is saved.'
          : 'Type a test patient’s number and see what the platform would receive. Nothing is saved.',
      ),
      h(
        'div',
        { className: 'row' },
        field('Test patient’s number', testInput),
        isSql
          ? h(
              'button',
              { type: 'button', onClick: () => a.runMapping(), disabled: s.busy },
              'Run with the test patient',
            )
          : null,
      ),
      isSql ? columnMapping(s, a) : null,
      h(
        'div',
        { className: 'row' },
        h('button', { type: 'button', onClick: () => a.testLookup(), disabled: s.busy }, 'Test lookup'),
      ),
      h('div', { className: 'result-area', 'aria-live': 'polite' }, result),
    ),
    moreSettings('patientLookup', s.lookup),
  );
  return nodes;
}
