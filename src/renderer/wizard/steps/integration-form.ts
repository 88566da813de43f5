// The kind chooser and the form of the chosen kind, shared by the patient-lookup and document steps.
import type { IntegrationInput } from '../../../shared/ipc/channels.js';
import { h } from '../../dom.js';
import { buildIntegration, type KindSpec, kindSpec } from '../kinds.js';
import { type IntegrationChoice, NONE } from '../wizard-state.js';
import { field, radio, type StepActions } from './step-parts.js';

export function kindChooser(
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

export function kindForm(spec: KindSpec, choice: IntegrationChoice): Array<Node | null> {
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
