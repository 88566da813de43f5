// The setup wizard: one window, steps along the top, Back / Next, Start at the end. Nothing is
// saved until Start; Cancel leaves the working setup untouched.
import type { SetupView } from '../../shared/ipc/channels.js';
import { ENVIRONMENT_LABEL } from '../../shared/ipc/status-words.js';
import { checkPastedToken } from '../../shared/ipc/token-format.js';
import type { Environment } from '../../shared/protocol/methods.js';
import { api } from '../api.js';
import { clear, h } from '../dom.js';
import {
  choiceFrom,
  choiceOf,
  exportSettings,
  importSettings,
  pickPath,
  runMapping,
  tableFor,
} from './integration-actions.js';
import { LOOKUP_KINDS, STORE_KINDS } from './kinds.js';
import { doneStep } from './steps/done-step.js';
import { environmentStep } from './steps/environment-step.js';
import { integrationFrom } from './steps/integration-form.js';
import { lookupStep } from './steps/lookup-step.js';
import type { StepActions } from './steps/step-parts.js';
import { storeStep } from './steps/store-step.js';
import { tokenStep } from './steps/token-step.js';
import { tokenStepProblem } from './token-address.js';
import { NONE, STEPS, type WizardState } from './wizard-state.js';

export interface WizardHost {
  /** Leave the wizard (Cancel, or after Start) and show the status view. */
  done(): void;
}

function stateFrom(view: SetupView, previous?: WizardState): WizardState {
  const lookupFallback = view.available.patientLookup.includes('demo') && view.environment === 'demo' ? 'demo' : NONE;
  return {
    step: previous?.step ?? 0,
    environment: view.environment,
    view,
    token: '',
    tokenVisible: false,
    network: structuredClone(view.network),
    lookup: choiceFrom('patientLookup', view.exists ? view.patientLookup : null, view.exists ? NONE : lookupFallback),
    store: choiceFrom('consentStore', view.exists ? view.consentStore : null, NONE),
    startAtLogin: view.exists ? view.startAtLogin : true,
    testId: '',
    platformResult: null,
    lookupResult: null,
    storeResult: null,
    busy: false,
    error: null,
  };
}

export async function mountWizard(root: HTMLElement, host: WizardHost, initial?: Environment): Promise<void> {
  const status = await api()['status.get']({});
  const firstConfigured = status.environments.find((e) => e.configured)?.environment;
  const environment = initial ?? firstConfigured ?? 'demo';
  let s = stateFrom(await api()['setup.get']({ environment }));
  const canCancel = true;

  const stepsList = h('ol', { className: 'steps' });
  const body = h('div', { className: 'step-body' });
  const error = h('p', { className: 'form-error', role: 'alert' });
  const back = h('button', { type: 'button', className: 'secondary', onClick: () => go(s.step - 1) }, 'Back');
  const next = h('button', { type: 'submit', className: 'primary' }, 'Next');
  const cancel = h('button', { type: 'button', className: 'secondary', onClick: () => host.done() }, 'Cancel');
  const form = h(
    'form',
    { className: 'wizard', novalidate: true, 'aria-labelledby': 'wizard-title' },
    h('h1', { id: 'wizard-title', className: 'wizard__title' }, 'Set up Cloud Connector'),
    stepsList,
    body,
    error,
    h('div', { className: 'nav' }, canCancel ? cancel : null, h('span', { className: 'nav__space' }), back, next),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void onNext();
  });
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      host.done();
    }
  });
  clear(root);
  root.append(form);

  const actions: StepActions = {
    rerender: () => render(false),
    setEnvironment: (env) => void switchEnvironment(env),
    testPlatform: () => void testPlatform(),
    testLookup: () => void testLookup(),
    testStore: () => void testStore(),
    runMapping: () => void withBusy(() => runMapping(s)),
    pickPath: (choice, key, kind) =>
      void pickPath(choice, key, kind).then(
        () => render(false),
        () => undefined,
      ),
    importSettings: (section, text, name) => {
      s.error = null;
      importSettings(s, section, text, name);
      render(false);
      focusFirstProblem();
    },
    exportSettings: (section) => {
      s.error = null;
      exportSettings(s, section);
      render(false);
      focusFirstProblem();
    },
  };

  /** After a check, the keyboard goes to the first setting that needs attention. */
  function focusFirstProblem(): void {
    (body.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus();
  }

  async function switchEnvironment(env: Environment): Promise<void> {
    if (env === s.environment) return;
    const view = await api()['setup.get']({ environment: env });
    s = stateFrom(view, s);
    render(false);
    if (s.step === 0) (body.querySelector(`input[value="${env}"]`) as HTMLElement | null)?.focus();
  }

  function render(focusHeading: boolean): void {
    clear(stepsList);
    STEPS.forEach((label, i) => {
      stepsList.append(
        h(
          'li',
          {
            className: i === s.step ? 'current' : i < s.step ? 'past' : '',
            'aria-current': i === s.step ? 'step' : null,
          },
          h('span', { className: 'steps__n' }, String(i + 1)),
          h('span', { className: 'steps__label' }, label),
        ),
      );
    });
    const focused = document.activeElement as HTMLElement | null;
    const focusKey = focused?.getAttribute('data-key') ?? focused?.id ?? null;
    const focusWasInStep = focused !== null && body.contains(focused);
    clear(body);
    const steps = [environmentStep, tokenStep, lookupStep, storeStep, doneStep];
    const build = steps[s.step] as (st: WizardState, a: StepActions) => Array<Node | null>;
    body.append(...build(s, actions).filter((n): n is Node => n !== null));
    error.textContent = s.error ?? '';
    back.hidden = s.step === 0;
    next.textContent = s.step === STEPS.length - 1 ? 'Start' : 'Next';
    next.disabled = s.busy;
    document.title = `Set up ${ENVIRONMENT_LABEL[s.environment]} · ${STEPS[s.step]} — Cloud Connector`;
    const again = focusKey
      ? (body.querySelector(`#${CSS.escape(focusKey)}, [data-key="${CSS.escape(focusKey)}"]`) as HTMLElement | null)
      : null;
    // Re-rendering must never drop keyboard focus to the page: back to where it was, else the heading.
    if (!focusHeading && again) again.focus();
    else if (focusHeading || (focusWasInStep && !body.contains(document.activeElement))) {
      (body.querySelector('h2') as HTMLElement | null)?.focus();
    }
  }

  function go(step: number): void {
    // Test results hold what the person typed (and a patient's details): gone once they move on.
    s.lookupResult = null;
    s.storeResult = null;
    s.error = null;
    s.step = Math.max(0, Math.min(STEPS.length - 1, step));
    render(true);
  }

  function validate(): string | null {
    if (s.step === 1) {
      if (!s.token.trim() && !s.view?.token.saved) return 'Paste the connection token first.';
      const check = s.token.trim() ? checkPastedToken(s.token, s.environment) : null;
      if (check && !check.ok && check.problem !== 'bad_address') {
        return check.problem === 'wrong_environment'
          ? `This token is for ${ENVIRONMENT_LABEL[check.environment ?? 'demo']}. Paste a token for ${ENVIRONMENT_LABEL[s.environment]}.`
          : 'This does not look like a connection token. Check you copied all of it.';
      }
      // Where the token goes: a bad address after @, no address at all, or a saved token going a new way.
      const problem = tokenStepProblem(s);
      if (problem) return problem;
    }
    if (s.step === 2 || s.step === 3) {
      const section = s.step === 2 ? 'patientLookup' : 'consentStore';
      const v = integrationFrom(section, tableFor(section), choiceOf(s, section));
      if (typeof v === 'string') return v;
    }
    return null;
  }

  async function onNext(): Promise<void> {
    if (s.busy) return;
    const problem = validate();
    if (problem) {
      s.error = problem;
      render(false);
      focusFirstProblem();
      return;
    }
    if (s.step < STEPS.length - 1) return go(s.step + 1);
    await start();
  }

  async function withBusy(fn: () => Promise<void>): Promise<void> {
    s.busy = true;
    s.error = null;
    render(false);
    try {
      await fn();
    } catch (e) {
      s.error = (e as Error).message;
    } finally {
      s.busy = false;
      render(false);
    }
  }

  async function testPlatform(): Promise<void> {
    await withBusy(async () => {
      s.platformResult = await api()['setup.testPlatform']({
        environment: s.environment,
        ...(s.token.trim() ? { token: s.token.trim() } : {}),
        network: cleanNetwork(),
        ...(s.confirmTokenDestination ? { confirmTokenDestination: true } : {}),
      });
    });
  }

  async function testLookup(): Promise<void> {
    const built = integrationFrom('patientLookup', LOOKUP_KINDS, s.lookup);
    if (!built || typeof built === 'string') {
      s.error = built ?? null;
      render(false);
      return focusFirstProblem();
    }
    if (!s.testId.trim()) {
      s.error = 'Type a test patient’s number first.';
      return render(false);
    }
    await withBusy(async () => {
      s.lookupResult = await api()['setup.testLookup']({
        environment: s.environment,
        patientLookup: built.config,
        identifier: s.testId.trim(),
        secrets: built.secrets,
      });
    });
  }

  async function testStore(): Promise<void> {
    const built = integrationFrom('consentStore', STORE_KINDS, s.store);
    if (!built || typeof built === 'string') {
      s.error = built ?? null;
      render(false);
      return focusFirstProblem();
    }
    await withBusy(async () => {
      s.storeResult = await api()['setup.testStore']({
        environment: s.environment,
        consentStore: built.config,
        secrets: built.secrets,
      });
    });
  }

  function cleanNetwork() {
    const n = s.network;
    return {
      platformUrl: n.platformUrl.trim(),
      proxyMode: n.proxyMode,
      ...(n.proxyMode === 'manual' && n.proxyUrl?.trim() ? { proxyUrl: n.proxyUrl.trim() } : {}),
      ...(n.caFile?.trim() ? { caFile: n.caFile.trim() } : {}),
    };
  }

  async function start(): Promise<void> {
    const lookup = integrationFrom('patientLookup', LOOKUP_KINDS, s.lookup);
    const store = integrationFrom('consentStore', STORE_KINDS, s.store);
    if (typeof lookup === 'string' || typeof store === 'string') {
      s.error = `${typeof lookup === 'string' ? 'Patient lookup' : 'Consent documents'}: check the settings marked there.`;
      return render(false);
    }
    let ok = false;
    await withBusy(async () => {
      const result = await api()['setup.save']({
        environment: s.environment,
        ...(s.token.trim() ? { token: s.token.trim() } : {}),
        network: cleanNetwork(),
        ...(s.confirmTokenDestination ? { confirmTokenDestination: true } : {}),
        patientLookup: lookup?.config ?? null,
        consentStore: store?.config ?? null,
        secrets: { ...lookup?.secrets, ...store?.secrets },
        startAtLogin: s.startAtLogin,
      });
      ok = result.ok;
      if (!result.ok) s.error = `${result.message}${whereToFix(result.field)}`;
    });
    if (ok) host.done();
  }

  render(false);
  (form.querySelector('input:checked') as HTMLElement | null)?.focus();
}

function whereToFix(field: string | null): string {
  if (!field) return '';
  if (
    field === 'token' ||
    field.startsWith('network') ||
    field === 'platformUrl' ||
    field === 'proxy' ||
    field === 'caFile'
  ) {
    return ' Go back to Connection token to fix it.';
  }
  if (field.startsWith('patientLookup')) return ' Go back to Patient lookup to fix it.';
  if (field.startsWith('consentStore')) return ' Go back to Consent documents to fix it.';
  return '';
}
