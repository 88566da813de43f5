// Bringing the window forward must not reload it: a half-filled wizard would be lost. It loads
// only when the window is new or has to change view.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mustLoad, routeOfUrl } from '../../src/main/app/window-route.js';

const page = 'file:///C:/Program%20Files/Cloud%20Connector/resources/dist/renderer/index.html';

test('a new window loads; the same view again does not reload; another view does', () => {
  assert.equal(mustLoad('', 'setup'), true, 'a new window has nothing loaded');
  assert.equal(mustLoad(`${page}#setup`, 'setup'), false, 'the wizard in progress is kept');
  assert.equal(mustLoad(`${page}#setup/production`, 'setup'), false);
  assert.equal(mustLoad(`${page}#status`, 'status'), false);
  assert.equal(mustLoad(`${page}#status`, 'setup'), true);
  // The wizard finished and the renderer moved itself to the status view: "Set up…" must load it again.
  assert.equal(mustLoad(`${page}#setup`, 'status'), true);
  assert.equal(mustLoad(page, 'status'), true, 'a page without a view is loaded with one');
});

test('the view is read from the hash only', () => {
  assert.equal(routeOfUrl(`${page}#setup`), 'setup');
  assert.equal(routeOfUrl(`${page}#setup/demo`), 'setup');
  assert.equal(routeOfUrl(`${page}#setupx`), null);
  assert.equal(routeOfUrl(`${page}#status`), 'status');
  assert.equal(routeOfUrl(`file:///C:/setup/index.html`), null);
  assert.equal(routeOfUrl(''), null);
});
