// The redactor is the last line of defence before a support ticket: each shape of credential a
// library or a proxy might put into an error message is masked whole, and the rest stays readable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRedactor } from '../../src/main/logging/redact.js';

const r = createRedactor();

const cases: Array<[string, string, string[]]> = [
  // [input, expected output, secrets that must be gone]
  ['via https://user:p@ss@host.example/x', 'via https://[redacted]@host.example/x', ['user', 'p@ss', 'ss@']],
  [
    'proxy http://apikey123456@proxy.local:3128 refused',
    'proxy http://[redacted]@proxy.local:3128 refused',
    ['apikey123456'],
  ],
  [
    'GET https://api.example/v1?api_key=k3y-value&page=2',
    'GET https://api.example/v1?api_key=[redacted]&page=2',
    ['k3y-value'],
  ],
  [
    'https://h/cb?state=abc&access_token=at.123.xyz#frag',
    'https://h/cb?state=abc&access_token=[redacted]#frag',
    ['at.123.xyz'],
  ],
  ['https://h/p?token=tk-998877', 'https://h/p?token=[redacted]', ['tk-998877']],
  ['https://h/p?secret=shh-112233&x=1', 'https://h/p?secret=[redacted]&x=1', ['shh-112233']],
  [
    'blob https://acct.blob/c/f.pdf?sv=2024&sig=AbC%2Bdef%3D',
    'blob https://acct.blob/c/f.pdf?sv=2024&sig=[redacted]',
    ['AbC%2Bdef%3D'],
  ],
  ['https://h/login?user=a&password=pw-445566', 'https://h/login?user=a&password=[redacted]', ['pw-445566']],
  ['https://h/cb?code=oauth-code-778899&state=s', 'https://h/cb?code=[redacted]&state=s', ['oauth-code-778899']],
  ['https://h/t?client_secret=cs-001122', 'https://h/t?client_secret=[redacted]', ['cs-001122']],
  ['Authorization: Token tok-556677', 'Authorization: [redacted]', ['tok-556677']],
  [
    'Authorization: Digest username="clinic", realm="r", nonce="n1", response="6629fae49393a05397450978507c4ef1"',
    'Authorization: [redacted]',
    ['6629fae49393a05397450978507c4ef1', 'clinic'],
  ],
  ['Proxy-Authorization: Basic Y2xpbmljOnB3', 'Proxy-Authorization: [redacted]', ['Y2xpbmljOnB3']],
  ['x-api-key: gw-key-334455', 'x-api-key: [redacted]', ['gw-key-334455']],
  ['{"X-API-Key":"gw-key-667788","accept":"json"}', '{"X-API-Key":"[redacted]","accept":"json"}', ['gw-key-667788']],
  ['Bearer abc.def.ghi rejected', 'Bearer [redacted] rejected', ['abc.def.ghi']],
];

for (const [input, expected, gone] of cases) {
  test(`masks: ${input.slice(0, 60)}`, () => {
    const out = r.text(input);
    assert.equal(out, expected);
    for (const secret of gone) assert.ok(!out.includes(secret), `${secret} left in ${out}`);
  });
}

test('ordinary text, addresses and query strings without credentials are left alone', () => {
  for (const text of [
    'connected to wss://platform.example/connector in 23 ms',
    'GET https://fhir.example/Patient?identifier=sys|value&_count=2',
    'https://h/p?zipcode=AB1&keyword=x',
    'lookup failed: source_timeout after 5000 ms',
    'email someone@example.test about it',
  ]) {
    assert.equal(r.text(text), text);
  }
});

// Secrets written as key=value or JSON, and NHS numbers in the shapes people and systems paste.
const shapes: Array<[string, string, string[]]> = [
  ['login failed password=hunter2 for user', 'login failed password=[redacted] for user', ['hunter2']],
  ['db_password: "s3cr3t pass" rejected', 'db_password: "[redacted]" rejected', ['s3cr3t', 'pass"']],
  [
    'body {"user":"clinic","password":"hunter2","x":1}',
    'body {"user":"clinic","password":"[redacted]","x":1}',
    ['hunter2'],
  ],
  ['{"password": "with \\"quote\\" inside"}', '{"password": "[redacted]"}', ['quote']],
  ["{'clientSecret': 'cs-9988'}", "{'clientSecret': '[redacted]'}", ['cs-9988']],
  ['{"client_secret":"cs-001122","scope":"a"}', '{"client_secret":"[redacted]","scope":"a"}', ['cs-001122']],
  ['{"access_token":"at.1.2","expires_in":3600}', '{"access_token":"[redacted]","expires_in":3600}', ['at.1.2']],
  ['apiKey=ak-123456, retrying', 'apiKey=[redacted], retrying', ['ak-123456']],
  ['{"authorization":"Basic Y2xpbmljOnB3"}', '{"authorization":"[redacted]"}', ['Y2xpbmljOnB3']],
  ['secret=abc;next', 'secret=[redacted];next', ['abc']],
  ['NHS 943.476.5919 seen', 'NHS [redacted] seen', ['5919']],
  ['NHS 943\u00a0476\u00a05919 seen', 'NHS [redacted] seen', ['5919']],
  ['NHS 943\u202f476\u202f5919 seen', 'NHS [redacted] seen', ['5919']],
  ['NHS ９４３４７６５９１９ seen', 'NHS [redacted] seen', ['５９１９']],
  ['NHS ９４３ ４７６ ５９１９ seen', 'NHS [redacted] seen', ['５９１９']],
  ['NHS 943–476–5919 seen', 'NHS [redacted] seen', ['5919']],
  ['NHS 9434765919 seen', 'NHS [redacted] seen', ['5919']],
];

for (const [input, expected, gone] of shapes) {
  test(`masks: ${input.slice(0, 60)}`, () => {
    const out = r.text(input);
    assert.equal(out, expected);
    for (const secret of gone) assert.ok(!out.includes(secret), `${secret} left in ${out}`);
  });
}

test('words that only contain a secret-sounding name, and ten digits that are not an NHS number, stay', () => {
  for (const text of [
    'tokensFile reloaded: 3 tokens',
    'token rejected (4401), next try in 300 s',
    'secret store: a file that only this user account can read',
    'passwordless sign-in is not offered',
    'NHS 943.476.5918 is not a valid number',
    'took 1234 ms at 2026-11-28T22:20:50.123Z',
    'state=connected code=ECONNREFUSED attempt=3',
  ]) {
    assert.equal(r.text(text), text);
  }
});
