// "The last 24 hours" per environment: a strip of the connection's state per clock hour (the tray's
// colours and shapes), bars of lookups and documents, and how long the slowest 5 % of lookups took.
// Each hour is one stop of a keyboard group (arrow keys move); focus or hover says its numbers in
// words, and the same numbers are a table for screen readers and for anyone who prefers one.
import { DAY_STATE_WORDS, type DayHistory, type DayState, type HourSlice } from '../../shared/ipc/day-history.js';
import { ENVIRONMENT_LABEL } from '../../shared/ipc/status-words.js';
import type { Environment } from '../../shared/protocol/methods.js';
import { clear, h, shapeIcon } from '../dom.js';

const SHAPE: Record<DayState, 'tick' | 'ring' | 'cross' | 'pause' | null> = {
  connected: 'tick',
  reconnecting: 'ring',
  down: 'cross',
  paused: 'pause',
  unknown: null,
};

function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

function hourRange(slice: HourSlice): string {
  const end = new Date(new Date(slice.start).getTime() + 3_600_000).toISOString();
  return `${clock(slice.start)} to ${clock(end)}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One hour in words, e.g. "02:00 to 03:00: down 13 minutes, reconnecting 2 minutes, connected 45 minutes; …". */
export function hourWords(slice: HourSlice): string {
  const states = (Object.entries(slice.minutes) as Array<[DayState, number]>)
    .filter(([, m]) => m > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([state, m]) => `${DAY_STATE_WORDS[state]} ${plural(m, 'minute')}`);
  const calls = [
    plural(slice.lookups, 'lookup'),
    plural(slice.documents, 'document'),
    slice.errors ? plural(slice.errors, 'error') : null,
  ].filter(Boolean);
  const slow =
    slice.slowLookupMs === null ? '' : `; slowest 5 % of lookups ${Math.round(slice.slowLookupMs)} ms or more`;
  return `${hourRange(slice)}: ${states.join(', ') || 'no record'}; ${calls.join(', ')}${slow}.`;
}

function zoneName(): string {
  const part = new Intl.DateTimeFormat('en-GB', { timeZoneName: 'short' })
    .formatToParts(new Date())
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'local time';
}

function stripFor(day: DayHistory): HTMLElement {
  const env = ENVIRONMENT_LABEL[day.environment];
  const readout = h(
    'p',
    { className: 'day__readout', 'data-testid': 'day-readout' },
    'Hover over or focus an hour for its numbers.',
  );
  const maxCalls = Math.max(1, ...day.hours.map((s) => Math.max(s.lookups, s.documents)));
  const maxSlow = Math.max(1, ...day.hours.map((s) => s.slowLookupMs ?? 0));
  const cells = day.hours.map((slice, i) => {
    const words = hourWords(slice);
    const shape = SHAPE[slice.state];
    // Heights through the CSSOM: the window's CSP refuses style attributes.
    const bar = (n: number, max: number, kind: string) => {
      const el = h('span', { className: `day__bar day__bar--${kind}` });
      el.style.height = `${n === 0 ? 0 : Math.max(6, (n / max) * 100)}%`;
      return el;
    };
    const cell = h(
      'li',
      {
        className: `day__hour day__hour--${slice.state}`,
        tabindex: i === day.hours.length - 1 ? 0 : -1,
        'aria-label': words,
        'data-state': slice.state,
      },
      h('span', { className: 'day__state' }, shape ? shapeIcon(shape, 14) : null),
      h(
        'span',
        { className: 'day__calls', 'aria-hidden': 'true' },
        bar(slice.lookups, maxCalls, 'lookups'),
        bar(slice.documents, maxCalls, 'documents'),
      ),
      h('span', { className: 'day__slow', 'aria-hidden': 'true' }, bar(slice.slowLookupMs ?? 0, maxSlow, 'slow')),
      h('span', { className: 'day__label', 'aria-hidden': 'true' }, i % 3 === 0 ? clock(slice.start).slice(0, 2) : ''),
    );
    const show = () => {
      readout.textContent = words;
    };
    cell.addEventListener('focus', show);
    cell.addEventListener('mouseenter', show);
    return cell;
  });
  const strip = h(
    'ol',
    {
      className: 'day__strip',
      role: 'group',
      'aria-label': `${env}, the last 24 hours, one hour each; use the arrow keys`,
      'data-testid': `day-${day.environment}`,
    },
    ...cells,
  );
  strip.addEventListener('keydown', (e) => {
    const at = cells.indexOf(document.activeElement as HTMLLIElement);
    if (at < 0) return;
    const to = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: cells.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = cells[Math.max(0, Math.min(cells.length - 1, to))] as HTMLLIElement;
    for (const c of cells) c.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  });
  const table = h(
    'table',
    { className: 'day__table', 'data-testid': `day-table-${day.environment}` },
    h('caption', {}, `${env}: the last 24 hours, hour by hour (${zoneName()})`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Hour', 'Connection', 'Lookups', 'Documents', 'Errors', 'Slowest 5 % of lookups'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...day.hours.map((s) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, hourRange(s)),
          h('td', {}, DAY_STATE_WORDS[s.state]),
          h('td', { className: 'num' }, String(s.lookups)),
          h('td', { className: 'num' }, String(s.documents)),
          h('td', { className: 'num' }, String(s.errors)),
          h('td', { className: 'num' }, s.slowLookupMs === null ? '—' : `${Math.round(s.slowLookupMs)} ms`),
        ),
      ),
    ),
  );
  return h(
    'div',
    { className: 'day' },
    day.hours.length ? h('h3', {}, env) : null,
    h(
      'p',
      { className: 'day__key hint' },
      h('span', { className: 'day__key-item' }, shapeIcon('tick', 12), ' connected'),
      h('span', { className: 'day__key-item' }, shapeIcon('ring', 12), ' reconnecting'),
      h('span', { className: 'day__key-item' }, shapeIcon('cross', 12), ' down'),
      h('span', { className: 'day__key-item' }, shapeIcon('pause', 12), ' paused or stopped'),
      h(
        'span',
        { className: 'day__key-item' },
        h('span', { className: 'day__swatch day__swatch--lookups' }),
        ' lookups',
      ),
      h(
        'span',
        { className: 'day__key-item' },
        h('span', { className: 'day__swatch day__swatch--documents' }),
        ' documents',
      ),
      h(
        'span',
        { className: 'day__key-item' },
        h('span', { className: 'day__swatch day__swatch--slow' }),
        ` slowest 5 % (up to ${Math.round(maxSlow)} ms)`,
      ),
    ),
    strip,
    readout,
    h(
      'details',
      { className: 'day__details' },
      h('summary', {}, 'Show as a table'),
      h('div', { className: 'calls-wrap' }, table),
    ),
  );
}

/** Fills `into` with a strip per configured environment and keeps it fresh; returns the stop function. */
export function mountDayStrips(
  into: HTMLElement,
  environments: () => Environment[],
  load: (environment: Environment) => Promise<DayHistory>,
): { refresh(): Promise<void>; stop(): void } {
  let stopped = false;
  let shown = '';
  async function refresh(): Promise<void> {
    const envs = environments();
    const days = await Promise.all(envs.map((e) => load(e).catch(() => null)));
    if (stopped) return;
    const usable = days.filter((d): d is DayHistory => d?.available === true);
    const key = JSON.stringify(usable);
    if (key === shown) return;
    shown = key;
    // Keep the keyboard where it was: the same hour of the same environment.
    const focused = document.activeElement;
    const at =
      focused instanceof HTMLLIElement && into.contains(focused)
        ? [...into.querySelectorAll('.day__hour')].indexOf(focused)
        : -1;
    clear(into);
    into.append(
      h('p', { className: 'hint day__zone' }, `Times are this computer’s local time (${zoneName()}).`),
      ...(usable.length ? usable.map(stripFor) : [h('p', { className: 'hint' }, 'Nothing recorded yet.')]),
    );
    if (at >= 0) (into.querySelectorAll('.day__hour')[at] as HTMLElement | undefined)?.focus();
  }
  const timer = setInterval(() => void refresh(), 60_000);
  void refresh();
  return {
    refresh,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
