// How a form for one kind of patient source or document store is described: each field maps onto
// one config key (dotted path inside the section), with a label, an example and, where there is
// one, a default. The same description builds the form, the config, and maps errors back to fields.

export interface OptionSpec {
  value: string;
  label: string;
}

export interface FieldSpec {
  /** Dotted config key inside the section, e.g. "connection.host" or "auth.clientSecret". */
  key: string;
  label: string;
  /** An example, shown as "e.g. …" in the empty field. */
  placeholder: string;
  hint?: string;
  required?: boolean;
  defaultValue?: string;
  /** text (default), number, a choice, a secret (never sent back, kept in the secret store), a check box,
   *  a folder or a certificate file (with Browse… in the app), a column of a database query, or several lines of text. */
  input?: 'text' | 'number' | 'select' | 'secret' | 'checkbox' | 'folder' | 'certificate' | 'column' | 'textarea';
  options?: OptionSpec[];
  /** Left out of the config when it has this value (the integration's own default). */
  omitWhen?: string;
  /** Shown (and written) only while another field has one of these values. */
  when?: { key: string; is: string[] };
  /** A check box that writes an (empty) object rather than true, for settings such as `tls: {}`. */
  asObject?: boolean;
  /** Placed under "Which column holds each detail?" rather than in the main form. */
  group?: 'mapping';
}

export interface KindSpec {
  label: string;
  sentence: string;
  fields: FieldSpec[];
  /** The test number field says what to type. */
  testHint?: string;
}

export const AUTH_FIELDS: FieldSpec[] = [
  {
    key: 'auth.type',
    label: 'Sign-in',
    placeholder: 'none',
    input: 'select',
    defaultValue: 'none',
    omitWhen: 'none',
    options: [
      { value: 'none', label: 'None (the server needs no sign-in)' },
      { value: 'basic', label: 'User name and password' },
      { value: 'bearer', label: 'Access token (bearer)' },
      { value: 'oauth2', label: 'OAuth2 client credentials' },
    ],
  },
  {
    key: 'auth.username',
    label: 'User name',
    placeholder: 'cloud-connector',
    required: true,
    when: { key: 'auth.type', is: ['basic'] },
  },
  {
    key: 'auth.password',
    label: 'Password',
    placeholder: '',
    input: 'secret',
    required: true,
    when: { key: 'auth.type', is: ['basic'] },
  },
  {
    key: 'auth.token',
    label: 'Access token',
    placeholder: '',
    input: 'secret',
    required: true,
    when: { key: 'auth.type', is: ['bearer'] },
  },
  {
    key: 'auth.tokenUrl',
    label: 'Token address',
    placeholder: 'https://auth.example-hospital.nhs.uk/oauth2/token',
    required: true,
    when: { key: 'auth.type', is: ['oauth2'] },
  },
  {
    key: 'auth.clientId',
    label: 'Client ID',
    placeholder: 'cloud-connector',
    required: true,
    when: { key: 'auth.type', is: ['oauth2'] },
  },
  {
    key: 'auth.clientSecret',
    label: 'Client secret',
    placeholder: '',
    input: 'secret',
    required: true,
    when: { key: 'auth.type', is: ['oauth2'] },
  },
  {
    key: 'auth.scope',
    label: 'Scope',
    placeholder: 'system/Patient.read',
    when: { key: 'auth.type', is: ['oauth2'] },
  },
];

export const CA_FILE_FIELD: FieldSpec = {
  key: 'caFile',
  label: 'Certificate file of the server',
  placeholder: 'C:\\Certificates\\trust-root-ca.pem',
  input: 'certificate',
  hint: 'Only if the server’s certificate is signed by your organisation’s own authority. Ask your IT team.',
};
