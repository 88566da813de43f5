// Web API (JSON over HTTPS), for patient lookup and for filing documents.
import { MAPPED_FIELDS } from '../../../shared/ipc/column-guess.js';
import { AUTH_FIELDS, CA_FILE_FIELD, type FieldSpec, type KindSpec } from './field-spec.js';

const PATH_EXAMPLES: Record<string, string> = {
  firstName: '$.name.given[0]',
  familyName: '$.name.family',
  dateOfBirth: '$.birthDate',
  gender: '$.sex',
  localIdentifier: '$.mrn',
  nationalIdentifier: '$.nhsNumber',
  title: '$.name.prefix',
  middleNames: '$.name.given[1]',
  email: '$.contact.email',
  mobile: '$.contact.mobile',
  isTestPatient: '$.flags.test',
};

export const HTTP_LOOKUP_FORM: KindSpec = {
  label: 'Web API',
  sentence: 'Your patient system answers a web address with JSON.',
  fields: [
    {
      key: 'url',
      label: 'Address ({id} is where the patient’s number goes)',
      placeholder: 'https://pas-api.example-hospital.local/api/v2/patients/{id}',
      required: true,
    },
    {
      key: 'method',
      label: 'Request',
      placeholder: 'GET',
      input: 'select',
      defaultValue: 'GET',
      omitWhen: 'GET',
      options: [
        { value: 'GET', label: 'GET (the number is in the address)' },
        { value: 'POST', label: 'POST (the number is sent in a JSON body)' },
      ],
    },
    {
      key: 'body',
      label: 'Body ({id} is where the number goes)',
      placeholder: '{"identifier": "{id}"}',
      input: 'textarea',
      required: true,
      when: { key: 'method', is: ['POST'] },
    },
    {
      key: 'recordsPath',
      label: 'Where the patient is in the answer',
      placeholder: '$.patient',
      hint: 'A path such as $.patient or $.results. Leave empty when the answer is the patient itself.',
    },
    ...MAPPED_FIELDS.map(
      ([field, label, required]): FieldSpec => ({
        key: `fields.${field}`,
        label: `${label} (path in the answer)`,
        placeholder: PATH_EXAMPLES[field] ?? '$.x',
        required,
      }),
    ),
    ...AUTH_FIELDS,
    CA_FILE_FIELD,
  ],
};

export const HTTP_STORE_FORM: KindSpec = {
  label: 'Web API',
  sentence: 'Signed PDFs are sent to a web address of your document system.',
  fields: [
    {
      key: 'url',
      label: 'Address',
      placeholder: 'https://documents.example-hospital.local/api/consent',
      required: true,
    },
    {
      key: 'format',
      label: 'How the PDF is sent',
      placeholder: 'json',
      input: 'select',
      defaultValue: 'json',
      omitWhen: 'json',
      options: [
        { value: 'json', label: 'JSON, with the PDF inside (base64)' },
        { value: 'multipart', label: 'Form upload (multipart): details and the PDF file' },
      ],
    },
    ...AUTH_FIELDS,
    CA_FILE_FIELD,
  ],
};
