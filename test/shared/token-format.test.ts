// The connection token as a person pastes it (PROTOCOL §9): bare, or followed by @ and the
// platform's address, with wss:// and /connector/v1 implied.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkPastedToken,
  isPlaceholderAddress,
  maskToken,
  parsePastedToken,
  platformHost,
} from '../../src/shared/ipc/token-format.js';

const SECRET = 'cc_production_AbCdEfGhIjKlMnOpQrStUvWx0123';

test('a bare token has no address; the token is what goes in the hello', () => {
  assert.deepEqual(parsePastedToken(`  ${SECRET}\n`), {
    ok: true,
    token: SECRET,
    environment: 'production',
    address: null,
  });
});

test('token@host means wss://host/connector/v1; port and path are optional', () => {
  const cases: Array<[string, string, string]> = [
    ['platform.example.com', 'wss://platform.example.com/connector/v1', 'platform.example.com'],
    ['Platform.Example.com:8443', 'wss://platform.example.com:8443/connector/v1', 'platform.example.com:8443'],
    ['platform.example.com/eu/connector/v1', 'wss://platform.example.com/eu/connector/v1', 'platform.example.com'],
    ['platform.example.com:443/', 'wss://platform.example.com/connector/v1', 'platform.example.com'],
    ['wss://platform.example.com', 'wss://platform.example.com/connector/v1', 'platform.example.com'],
    ['10.1.2.3:9443', 'wss://10.1.2.3:9443/connector/v1', '10.1.2.3:9443'],
    ['[2001:db8::1]:8443', 'wss://[2001:db8::1]:8443/connector/v1', '[2001:db8::1]:8443'],
    ['ws://127.0.0.1:8080/connector/v1', 'ws://127.0.0.1:8080/connector/v1', '127.0.0.1:8080'],
    ['ws://localhost:8080', 'ws://localhost:8080/connector/v1', 'localhost:8080'],
  ];
  for (const [address, platformUrl, host] of cases) {
    const parsed = parsePastedToken(`${SECRET}@${address}`);
    assert.deepEqual(
      parsed,
      { ok: true, token: SECRET, environment: 'production', address: { platformUrl, host } },
      address,
    );
  }
});

test('an address that is not one is refused, never guessed at', () => {
  for (const address of [
    '',
    'not a host',
    'platform',
    'ws://platform.example.com',
    'ws://evil.localhost:8080',
    'https://platform.example.com',
    'platform.example.com:99999',
    'platform.example.com:0',
    'user@platform.example.com',
    'platform.example.com?x=1',
    '-bad.example.com',
    'platform..example.com',
  ]) {
    const parsed = parsePastedToken(`${SECRET}@${address}`);
    assert.deepEqual(parsed, { ok: false, problem: 'bad_address', environment: 'production' }, address);
  }
  assert.deepEqual(parsePastedToken('cc_production_short@platform.example.com'), {
    ok: false,
    problem: 'malformed',
    environment: null,
  });
  assert.deepEqual(parsePastedToken('   '), { ok: false, problem: 'empty', environment: null });
});

test('the environment is checked on the token part, with or without an address', () => {
  assert.deepEqual(checkPastedToken(`${SECRET}@platform.example.com`, 'production'), {
    ok: true,
    environment: 'production',
  });
  assert.deepEqual(checkPastedToken(`${SECRET}@platform.example.com`, 'demo'), {
    ok: false,
    problem: 'wrong_environment',
    environment: 'production',
  });
});

test('placeholders are recognised; the host is shown as the person reads it; the mask hides the secret', () => {
  assert.equal(isPlaceholderAddress('wss://platform.example/connector/v1'), true);
  assert.equal(isPlaceholderAddress('wss://demo.platform.example/connector/v1'), true);
  assert.equal(isPlaceholderAddress('wss://x.invalid/connector/v1'), true);
  assert.equal(isPlaceholderAddress('wss://platform.example.com/connector/v1'), false);
  assert.equal(platformHost('wss://platform.example.com:443/connector/v1'), 'platform.example.com');
  assert.equal(platformHost('https://platform.example.com'), null);
  assert.equal(maskToken(`${SECRET}@platform.example.com`), 'cc_production_…0123');
});
