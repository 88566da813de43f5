// The kind chooser and the form of the chosen kind, shared by the patient-lookup and document steps:
// every field with its label, example and plain-words error, "Load settings from a file…" and
// "Save settings to a file…", and More settings (JSON) for rare options.
import type { IntegrationInput, SecretsInput } from '../../../shared/ipc/channels.js';
import { h, shapeIcon } from '../../dom.js';
import { EXTRA, fieldErrors } from '../forms/field-errors.js';
import { buildIntegration, type FieldSpec, fieldValue, isShown, type KindSpec, kindSpec } from '../kinds.js';
import { emptyChoice, type IntegrationChoice, NONE, type WizardState } from '../wizard-state.js';
import { radio, type StepActions } from './step-parts.js';

export type Section = 'patientLookup' | 'consentStore';

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
        Object.assign(choice, emptyChoice(kind));
        a.rerender();
      });
    }),
    radio(name, NONE, choice.kind === NONE, 'None', noneSentence, () => {
      Object.assign(choice, emptyChoice(NONE));
      a.rerender();
    }),
  );
}

export function controlId(section: Section, key: string): string {
  return `${section}-${key.replace(/\./g, '-')}`;
}

/** A labelled control with its example, hint and error; changes re-render only when other fields depend on it. */
export function fieldControl(
  section: Section,
  spec: KindSpec,
  field: FieldSpec,
  choice: IntegrationChoice,
  s: WizardState,
  a: StepActions,
): Node {
  const id = controlId(section, field.key);
  const value = fieldValue(field, choice.values);
  // A choice or a field with a default always has a value: "(optional)" would only puzzle.
  const optional = !field.required && field.input !== 'select' && field.defaultValue === undefined;
  const error = choice.errors[field.key];
  const controls = spec.fields.some((f) => f.when?.key === field.key);
  const described = [field.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || null;
  const common = { id, 'aria-describedby': described, 'aria-invalid': error ? 'true' : null, 'data-key': id };
  const set = (v: string) => {
    choice.values[field.key] = v;
    if (controls) return a.rerender();
    // Cleared in place: a re-render on blur would replace the button the person is clicking.
    if (choice.errors[field.key]) {
      delete choice.errors[field.key];
      document.getElementById(`${id}-error`)?.remove();
      const control = document.getElementById(id);
      control?.removeAttribute('aria-invalid');
      if (field.hint) control?.setAttribute('aria-describedby', `${id}-hint`);
      else control?.removeAttribute('aria-describedby');
    }
  };
  let control: HTMLElement;
  if (field.input === 'checkbox') {
    const box = h('input', { type: 'checkbox', className: 'check__input', checked: value === 'true', ...common });
    box.addEventListener('change', () => set(box.checked ? 'true' : 'false'));
    return h(
      'div',
      { className: 'check field' },
      box,
      h('label', { for: id, className: 'check__label' }, field.label),
      field.hint ? h('p', { id: `${id}-hint`, className: 'hint' }, field.hint) : null,
      errorLine(id, error),
    );
  }
  if (field.input === 'select' || (field.input === 'column' && choice.mapping?.columns.length)) {
    const options =
      field.input === 'select'
        ? (field.options ?? [])
        : [
            { value: '', label: field.required ? '— choose a column —' : '— not in the query —' },
            ...(choice.mapping?.columns ?? []).map((c) => ({ value: c, label: c })),
          ];
    if (value && !options.some((o) => o.value === value)) options.push({ value, label: value });
    const select = h(
      'select',
      common,
      ...options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)),
    );
    select.addEventListener('change', () => set(select.value));
    control = select;
  } else if (field.input === 'textarea') {
    const area = h('textarea', { rows: 3, spellcheck: 'false', placeholder: `e.g. ${field.placeholder}`, ...common });
    area.value = value;
    area.addEventListener('input', () => {
      choice.values[field.key] = area.value;
    });
    area.addEventListener('change', () => set(area.value));
    control = area;
  } else if (field.input === 'secret') {
    const saved = choice.savedSecrets[field.key] !== undefined;
    const input = h('input', {
      type: 'password',
      autocomplete: 'new-password',
      value: choice.secrets[field.key] ?? '',
      placeholder: saved ? 'Saved. Type a new one only to replace it.' : '',
      ...common,
    });
    input.addEventListener('input', () => {
      choice.secrets[field.key] = input.value;
    });
    input.addEventListener('change', () => set(choice.values[field.key] ?? ''));
    control = input;
  } else {
    const input = h('input', {
      type: 'text',
      inputmode: field.input === 'number' ? 'numeric' : null,
      value,
      placeholder: field.placeholder ? `e.g. ${field.placeholder}` : null,
      spellcheck: 'false',
      ...common,
    });
    input.addEventListener('input', () => {
      choice.values[field.key] = input.value;
    });
    input.addEventListener('change', () => set(input.value));
    control = input;
    if ((field.input === 'folder' || field.input === 'certificate') && s.view?.canPickPaths) {
      const kind = field.input;
      control = h(
        'div',
        { className: 'token-row' },
        input,
        h(
          'button',
          { type: 'button', className: 'secondary', onClick: () => a.pickPath(choice, field.key, kind) },
          'Browse…',
        ),
      );
    }
  }
  return h(
    'div',
    { className: 'field' },
    h('label', { for: id, className: 'field__label' }, optional ? `${field.label} (optional)` : field.label),
    control,
    field.hint ? h('p', { id: `${id}-hint`, className: 'hint' }, field.hint) : null,
    errorLine(id, error),
  );
}

function errorLine(id: string, error: string | undefined): Node | null {
  return error ? h('p', { id: `${id}-error`, className: 'field-error' }, shapeIcon('cross', 16), ` ${error}`) : null;
}

export function kindForm(
  section: Section,
  spec: KindSpec,
  choice: IntegrationChoice,
  s: WizardState,
  a: StepActions,
): Array<Node | null> {
  const fields = spec.fields.filter((f) => f.group === undefined && isShown(spec, f, choice.values));
  return fields.map((f) => fieldControl(section, spec, f, choice, s, a));
}

export function moreSettings(section: Section, choice: IntegrationChoice): Node {
  const id = `${section}-extra`;
  const error = choice.errors[EXTRA];
  const extra = h('textarea', {
    id,
    rows: 4,
    spellcheck: 'false',
    placeholder: '{ "connectTimeoutMs": 5000 }',
    'aria-describedby': `${id}-hint${error ? ` ${id}-error` : ''}`,
    'aria-invalid': error ? 'true' : null,
  });
  extra.value = choice.extra;
  extra.addEventListener('input', () => {
    choice.extra = extra.value;
  });
  return h(
    'details',
    { className: 'more', open: choice.extra !== '' || Boolean(error) },
    h('summary', {}, 'More settings (JSON)'),
    h(
      'div',
      { className: 'field' },
      h('label', { for: id, className: 'field__label' }, 'More settings'),
      extra,
      h(
        'p',
        { id: `${id}-hint`, className: 'hint' },
        'Rarely needed. For your IT team or the platform’s support: other settings of this kind, as in the README.',
      ),
      errorLine(id, error),
    ),
  );
}

export function settingsFileRow(section: Section, choice: IntegrationChoice, a: StepActions): Node {
  const file = h('input', {
    type: 'file',
    accept: '.json,application/json',
    className: 'visually-hidden',
    tabindex: -1,
    'aria-hidden': 'true',
    'data-testid': `${section}-file`,
  });
  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    void chosen.text().then((text) => a.importSettings(section, text, chosen.name));
    file.value = '';
  });
  return h(
    'div',
    { className: 'settings-file' },
    h(
      'div',
      { className: 'row' },
      h(
        'button',
        { type: 'button', className: 'secondary', onClick: () => file.click() },
        'Load settings from a file…',
      ),
      choice.kind === NONE
        ? null
        : h(
            'button',
            { type: 'button', className: 'secondary', onClick: () => a.exportSettings(section) },
            'Save settings to a file…',
          ),
      file,
    ),
    choice.notice ? h('p', { className: 'note', role: 'status' }, choice.notice) : null,
  );
}

export interface BuiltIntegration {
  config: IntegrationInput;
  secrets: SecretsInput;
}

/**
 * The chosen kind as config plus the secrets typed for it, or a sentence saying what to fix (the
 * fields' own errors are set on the choice). null for "None".
 */
export function integrationFrom(
  section: Section,
  table: Record<string, KindSpec>,
  choice: IntegrationChoice,
): BuiltIntegration | null | string {
  if (choice.kind === NONE) return null;
  const spec = kindSpec(table, choice.kind);
  let config: IntegrationInput;
  try {
    config = buildIntegration(section, choice.kind, spec, choice);
  } catch {
    choice.errors = { [EXTRA]: 'This is not valid JSON. Check the brackets and quotes, or leave it empty.' };
    return 'Check More settings.';
  }
  const errors = fieldErrors(section, spec, choice.values, config);
  // Required secrets the schema cannot see as missing (it sees only the reference).
  for (const f of spec.fields) {
    if (f.input !== 'secret' || !f.required || !isShown(spec, f, choice.values)) continue;
    if (!choice.secrets[f.key] && choice.savedSecrets[f.key] === undefined) errors[f.key] = 'Type it here.';
  }
  choice.errors = errors;
  const problems = Object.keys(errors).length;
  if (problems > 0) {
    return problems === 1
      ? 'Check the setting marked with a cross.'
      : `Check the ${problems} settings marked with a cross.`;
  }
  const secrets: SecretsInput = {};
  for (const f of spec.fields) {
    const typed = choice.secrets[f.key];
    if (f.input === 'secret' && typed && isShown(spec, f, choice.values)) secrets[`${section}.${f.key}`] = typed;
  }
  return { config, secrets };
}
