// Preloaded with `node --require` in the child that runs dist/main/app.cjs: `require('electron')`
// resolves to the recording stand-in beside this file. The code under test is unchanged.
'use strict';
const Module = require('node:module');
const path = require('node:path');

const stand_in = path.join(__dirname, 'fake-electron.cjs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveElectron(request, ...rest) {
  if (request === 'electron') return stand_in;
  return resolve.call(this, request, ...rest);
};
