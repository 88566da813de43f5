// The renderer's entry: shows the wizard on first run (or when asked with #setup), else the status.

import { api } from './api.js';
import { h } from './dom.js';
import { mountStatus } from './status/status-view.js';
import { mountWizard } from './wizard/wizard.js';

const root = document.getElementById('app') as HTMLElement;
let unmount: (() => void) | null = null;

async function route(): Promise<void> {
  unmount?.();
  unmount = null;
  const hash = location.hash.replace(/^#/, '');
  try {
    if (hash.startsWith('setup')) {
      const env = hash.split('/')[1];
      await mountWizard(
        root,
        { done: () => navigate('status') },
        env === 'demo' || env === 'production' ? env : undefined,
      );
      return;
    }
    if (hash !== 'status') {
      const status = await api()['status.get']({});
      if (!status.environments.some((e) => e.configured)) return navigate('setup');
    }
    unmount = mountStatus(root, { openSetup: () => navigate('setup') });
  } catch (e) {
    root.replaceChildren(
      h(
        'main',
        { className: 'status' },
        h('h1', {}, 'Cloud Connector is not answering'),
        h('p', {}, (e as Error).message),
      ),
    );
  }
}

function navigate(to: string): void {
  if (location.hash === `#${to}`) void route();
  else location.hash = to;
}

window.addEventListener('hashchange', () => void route());
void route();
