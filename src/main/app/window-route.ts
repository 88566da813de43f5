// Which view the app window shows, read from its page address (#status, #setup, #setup/demo). The
// window only loads its page when it is new or must change view: reloading it each time it is
// brought forward would throw away a half-finished wizard.

export type WindowRoute = 'status' | 'setup';

/** The view a page address shows; null for a window that has not loaded anything yet. */
export function routeOfUrl(url: string): WindowRoute | null {
  if (!url) return null;
  const hash = url.includes('#') ? url.slice(url.indexOf('#') + 1) : '';
  if (hash === 'setup' || hash.startsWith('setup/')) return 'setup';
  if (hash === 'status') return 'status';
  return null;
}

/** Whether show(route) must (re)load the page, given the address the window is on now. */
export function mustLoad(currentUrl: string, route: WindowRoute): boolean {
  return routeOfUrl(currentUrl) !== route;
}
