// The status window: a large coloured state line, a row per environment when there are two,
// today's counts, the last 50 calls (never patient details), warnings with their fix, and actions.
// The layout is fixed so that nothing jumps when the state changes; changes are announced once.
import type { AppStatus, CallCounts, CallRow, EnvironmentStatus } from '../../shared/ipc/status.js';
import {
  configuredEnvironments,
  describeEnvironment,
  ENVIRONMENT_LABEL,
  overallTone,
  SHAPE_FOR_TONE,
} from '../../shared/ipc/status-words.js';
import { api } from '../api.js';
import { clear, h, shapeIcon } from '../dom.js';
import { mountDayStrips } from './day-strip.js';

export interface StatusHost {
  openSetup(): void;
}

const KIND: Record<string, string> = { 'patient.lookup': 'Patient lookup', 'consent.store': 'Consent document' };
function resultWords(r: CallRow): string {
  if (r.outcome === 'error') return r.reason ? `Failed: ${r.reason.replace(/_/g, ' ')}` : 'Failed';
  if (r.outcome === 'not_found') return 'Not found';
  if (r.outcome === 'ok') return r.method === 'consent.store' ? 'Filed' : 'Found';
  return r.outcome;
}

function time(iso: string): string {
  return new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** The environment the big line talks about: the worse one, production first on a tie. */
function headlineEnvironment(status: AppStatus): EnvironmentStatus | null {
  const envs = configuredEnvironments(status);
  if (envs.length === 0) return null;
  const tone = overallTone(status);
  return envs.find((e) => describeEnvironment(e).tone === tone) ?? envs[0] ?? null;
}

export function mountStatus(root: HTMLElement, host: StatusHost): () => void {
  let status: AppStatus | null = null;
  let lastAnnounced = '';
  const shape = h('span', { className: 'state__shape' });
  const headline = h('h1', { className: 'state__headline' }, 'Loading…');
  const advice = h('p', { className: 'state__advice' });
  const detail = h('p', { className: 'detail state__detail' });
  const state = h(
    'section',
    { className: 'state state--grey', 'data-testid': 'state' },
    shape,
    h('div', { className: 'state__text' }, headline, advice, detail),
  );
  const announcer = h('p', { className: 'visually-hidden', 'aria-live': 'polite', 'data-testid': 'announcer' });
  const envRows = h('ul', { className: 'env-rows', 'aria-label': 'Environments' });

  const message = h('p', { className: 'action-message', role: 'status' });
  const reconnect = h(
    'button',
    { type: 'button', onClick: () => act(() => api()['connector.reconnect']({}), 'Reconnecting now.') },
    'Reconnect',
  );
  const pause = h('button', { type: 'button', onClick: () => void togglePause() }, 'Pause');
  const setup = h('button', { type: 'button', onClick: () => host.openSetup() }, 'Set up…');
  const logs = h(
    'button',
    { type: 'button', onClick: () => act(async () => `Logs are in ${(await api()['app.openLogs']({})).path}`) },
    'Open logs',
  );
  const diagText = h('textarea', {
    readonly: true,
    rows: 8,
    className: 'diagnostics',
    'aria-label': 'Diagnostics that were copied',
  });
  const diagBox = h('details', { className: 'diag-box', hidden: true }, h('summary', {}, 'What was copied'), diagText);
  const copy = h('button', { type: 'button', onClick: () => void copyDiagnostics() }, 'Copy diagnostics');
  const actions = h('div', { className: 'actions' }, reconnect, pause, setup, logs, copy);

  const counts = h('dl', { className: 'counts', 'data-testid': 'counts' });
  const warnings = h('ul', { className: 'warnings', 'data-testid': 'warnings' });
  const callsBody = h('tbody', {});
  const callsTable = h(
    'table',
    { className: 'calls', 'data-testid': 'calls' },
    h('caption', { className: 'visually-hidden' }, 'Last 50 calls'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Time'),
        h('th', { scope: 'col' }, 'Kind'),
        h('th', { scope: 'col' }, 'Result'),
        h('th', { scope: 'col', className: 'num' }, 'Duration'),
      ),
    ),
    callsBody,
  );
  const callsEmpty = h('p', { className: 'hint' }, 'No calls yet.');
  const dayBox = h('div', { className: 'days' });

  clear(root);
  root.append(
    h(
      'main',
      { className: 'status' },
      state,
      announcer,
      envRows,
      actions,
      message,
      diagBox,
      h('section', { 'aria-labelledby': 'day-title' }, h('h2', { id: 'day-title' }, 'The last 24 hours'), dayBox),
      h('section', { 'aria-labelledby': 'warnings-title' }, h('h2', { id: 'warnings-title' }, 'Warnings'), warnings),
      h('section', { 'aria-labelledby': 'today-title' }, h('h2', { id: 'today-title' }, 'Today'), counts),
      h(
        'section',
        { 'aria-labelledby': 'calls-title' },
        h('h2', { id: 'calls-title' }, 'Recent calls'),
        h('div', { className: 'calls-wrap' }, callsTable),
        callsEmpty,
      ),
    ),
  );

  async function act(fn: () => Promise<unknown>, done?: string): Promise<void> {
    try {
      const result = await fn();
      message.textContent = typeof result === 'string' ? result : (done ?? '');
    } catch (e) {
      message.textContent = (e as Error).message;
    }
  }

  async function togglePause(): Promise<void> {
    const paused = status ? configuredEnvironments(status).every((e) => e.paused) : false;
    await act(
      () => api()['connector.setPaused']({ paused: !paused }),
      paused ? 'Resumed.' : 'Paused. Patient lookups will not work until you resume.',
    );
  }

  async function copyDiagnostics(): Promise<void> {
    await act(async () => {
      const { text } = await api()['diagnostics.copy']({});
      diagText.value = text;
      diagBox.hidden = false;
      try {
        await navigator.clipboard?.writeText(text);
      } catch {
        // Electron main already put it on the clipboard; in a browser the box below still shows it.
      }
      return 'Diagnostics copied to the clipboard. They contain no patient details and no token.';
    });
  }

  function renderStatus(): void {
    if (!status) return;
    const env = headlineEnvironment(status);
    const tone = overallTone(status);
    const words = env ? describeEnvironment(env) : null;
    state.className = `state state--${tone}`;
    state.dataset.tone = tone;
    clear(shape);
    shape.append(shapeIcon(SHAPE_FOR_TONE[tone], 40));
    headline.textContent = words?.headline ?? 'Cloud Connector is not set up';
    advice.textContent = words
      ? (words.advice ?? '\u00a0')
      : 'Choose Set up… to connect this computer to the platform.';
    detail.textContent = env
      ? [
          env.platformUrl ? env.platformUrl.replace(/[?#].*$/, '') : null,
          env.tenant ? `organisation ${env.tenant}` : null,
          `version ${status.version}`,
        ]
          .filter(Boolean)
          .join(' · ')
      : `version ${status.version}`;
    const announce = `${tone}: ${words?.short ?? 'not set up'}`;
    if (announce !== lastAnnounced) {
      lastAnnounced = announce;
      announcer.textContent = words ? `${ENVIRONMENT_LABEL[env?.environment ?? 'demo']}: ${words.short}` : 'Not set up';
    }
    const configured = configuredEnvironments(status);
    clear(envRows);
    envRows.hidden = configured.length < 2;
    if (configured.length >= 2) {
      for (const e of configured) {
        const w = describeEnvironment(e);
        envRows.append(
          h(
            'li',
            { className: `env-row env-row--${w.tone}`, 'data-environment': e.environment },
            shapeIcon(SHAPE_FOR_TONE[w.tone], 18),
            h('strong', {}, ENVIRONMENT_LABEL[e.environment]),
            ` ${w.short}`,
          ),
        );
      }
    }
    const allPaused = configured.length > 0 && configured.every((e) => e.paused);
    pause.textContent = allPaused ? 'Resume' : 'Pause';
    pause.disabled = configured.length === 0;
    reconnect.disabled = configured.length === 0 || allPaused;
    clear(warnings);
    if (status.warnings.length === 0) warnings.append(h('li', { className: 'hint' }, 'None.'));
    for (const w of status.warnings) {
      warnings.append(h('li', { className: 'warning' }, h('strong', {}, w.message), ' ', h('span', {}, w.fix)));
    }
  }

  function renderCalls(rows: CallRow[], c: CallCounts): void {
    clear(counts);
    for (const [label, n] of [
      ['Lookups', c.lookups],
      ['Documents', c.documents],
      ['Errors', c.errors],
    ] as const) {
      counts.append(h('div', { className: 'count' }, h('dt', {}, label), h('dd', {}, String(n))));
    }
    const two = status ? configuredEnvironments(status).length > 1 : false;
    clear(callsBody);
    for (const r of rows) {
      const kind = KIND[r.method] ?? r.method;
      callsBody.append(
        h(
          'tr',
          { className: r.outcome === 'error' ? 'call--error' : '' },
          h('td', {}, time(r.time)),
          h('td', {}, two ? `${kind} (${ENVIRONMENT_LABEL[r.environment]})` : kind),
          h('td', {}, resultWords(r)),
          h('td', { className: 'num' }, `${Math.round(r.durationMs)} ms`),
        ),
      );
    }
    callsEmpty.hidden = rows.length > 0;
  }

  async function refreshCalls(): Promise<void> {
    try {
      const { calls, counts: c } = await api()['calls.recent']({ limit: 50 });
      renderCalls(calls, c);
    } catch {
      // the next tick tries again; the state line says if the app is not answering
    }
  }

  const days = mountDayStrips(
    dayBox,
    () => (status ? configuredEnvironments(status).map((e) => e.environment) : []),
    (environment) => api()['status.day']({ environment }),
  );
  const unsubscribe = api().onStatus((next) => {
    const before = status?.environments.map((e) => e.state).join();
    status = next;
    renderStatus();
    // A change of state shows in the current hour at once, not at the next minute's refresh.
    if (before !== next.environments.map((e) => e.state).join()) void days.refresh();
  });
  void api()
    ['status.get']({})
    .then((first) => {
      status ??= first;
      renderStatus();
      void days.refresh();
    });
  void refreshCalls();
  // Calls do not change the state, so they are fetched on a short timer; the same tick keeps
  // "next in 8 s" counting down.
  const timer = setInterval(() => {
    void refreshCalls();
    renderStatus();
  }, 1_000);
  return () => {
    clearInterval(timer);
    days.stop();
    unsubscribe();
  };
}
