// Step 1: Demo or Production.
import { ENVIRONMENT_LABEL } from '../../../shared/ipc/status-words.js';
import { h } from '../../dom.js';
import type { WizardState } from '../wizard-state.js';
import { radio, type StepActions } from './step-parts.js';

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
