// "Which column holds each detail?" for a database source: a drop-down of the query's column names
// beside each detail (typed by hand until the query has run), and the gender codes found, each
// mapped to the platform's genders. Only column names and short codes are ever shown here.
import { h, shapeIcon } from '../../dom.js';
import { kindSpec, LOOKUP_KINDS } from '../kinds.js';
import type { WizardState } from '../wizard-state.js';
import { controlId, fieldControl } from './integration-form.js';
import type { StepActions } from './step-parts.js';

const GENDERS = [
  ['male', 'Male'],
  ['female', 'Female'],
  ['other', 'Other'],
  ['unknown', 'Unknown'],
] as const;

export function columnMapping(s: WizardState, a: StepActions): Node {
  const choice = s.lookup;
  const spec = kindSpec(LOOKUP_KINDS, 'sql');
  const mapping = choice.mapping;
  const fields = spec.fields.filter((f) => f.group === 'mapping');
  const status = mapping
    ? h(
        'p',
        { className: `mapping-status mapping-status--${mapping.outcome}`, 'data-testid': 'mapping-result' },
        shapeIcon(mapping.outcome === 'ok' ? 'tick' : 'cross', 16),
        ` ${mapping.message}`,
      )
    : null;
  const codes = [
    ...new Map(
      [...(mapping?.genderValues ?? []), ...Object.keys(choice.genderMap).map((code) => ({ code, builtIn: null }))].map(
        (g) => [g.code, g],
      ),
    ).values(),
  ];
  const genderRows = codes.map(({ code, builtIn }) => {
    const id = `${controlId('patientLookup', 'genderMap')}-${encodeURIComponent(code)}`;
    const current = choice.genderMap[code] ?? builtIn ?? 'unknown';
    const select = h(
      'select',
      { id },
      ...GENDERS.map(([value, label]) => h('option', { value, selected: value === current }, label)),
    );
    select.addEventListener('change', () => {
      // Written only where the built-in meaning is not what the person chose.
      if (select.value === builtIn) delete choice.genderMap[code];
      else choice.genderMap[code] = select.value;
    });
    return h(
      'div',
      { className: 'field field--inline' },
      h('label', { for: id, className: 'field__label' }, code === '' ? 'Gender code (empty)' : `Gender code “${code}”`),
      select,
    );
  });
  return h(
    'section',
    { className: 'mapping', 'aria-labelledby': 'mapping-title' },
    h('h4', { id: 'mapping-title' }, 'Which column holds each detail?'),
    h('div', { 'aria-live': 'polite' }, status),
    h(
      'div',
      { className: 'mapping__grid' },
      ...fields.map((f) => fieldControl('patientLookup', spec, f, choice, s, a)),
    ),
    genderRows.length
      ? h(
          'fieldset',
          { className: 'mapping__genders' },
          h('legend', {}, 'Gender codes in your database'),
          ...genderRows,
        )
      : null,
  );
}
