// HL7 v2 over MLLP: patient query (PDQ) and documents (MDM).
import type { FieldSpec, KindSpec } from './field-spec.js';

const CONNECTION: FieldSpec[] = [
  { key: 'host', label: 'Interface engine address', placeholder: 'hl7.example-hospital.nhs.uk', required: true },
  { key: 'port', label: 'Port', placeholder: '2575', input: 'number', required: true },
  {
    key: 'tls',
    label: 'Encrypt the connection (MLLP over TLS)',
    placeholder: '',
    input: 'checkbox',
    defaultValue: 'false',
    omitWhen: 'false',
    asObject: true,
    hint: 'Needed unless the interface engine is on a trusted network segment.',
  },
  {
    key: 'tls.caFile',
    label: 'Certificate file of the interface engine',
    placeholder: 'C:\\Certificates\\hl7-ca.pem',
    input: 'certificate',
    when: { key: 'tls', is: ['true'] },
  },
  {
    key: 'sendingApplication',
    label: 'Sending application (MSH-3)',
    placeholder: 'CLOUD-CONNECTOR',
    defaultValue: 'CLOUD-CONNECTOR',
    required: true,
  },
  { key: 'sendingFacility', label: 'Sending facility (MSH-4)', placeholder: 'EXAMPLE-CLINIC' },
  { key: 'receivingApplication', label: 'Receiving application (MSH-5)', placeholder: 'PAS', required: true },
  { key: 'receivingFacility', label: 'Receiving facility (MSH-6)', placeholder: 'EXAMPLE-TRUST' },
  {
    key: 'localAuthority',
    label: 'Hospital number authority',
    placeholder: 'EXAMPLE-TRUST',
    hint: 'The assigning authority your system gives hospital numbers (CX-4).',
    required: true,
  },
  {
    key: 'encoding',
    label: 'Character set',
    placeholder: 'UTF-8',
    input: 'select',
    defaultValue: 'UTF-8',
    omitWhen: 'UTF-8',
    options: [
      { value: 'UTF-8', label: 'UTF-8 (Unicode)' },
      { value: 'ISO-8859-1', label: 'ISO-8859-1 (Latin-1)' },
      { value: 'windows-1252', label: 'Windows-1252' },
    ],
  },
];

export const HL7_LOOKUP_FORM: KindSpec = {
  label: 'HL7 interface (MLLP)',
  sentence: 'Ask your patient system through its HL7 v2 interface (patient query).',
  fields: CONNECTION,
};

export const HL7_STORE_FORM: KindSpec = {
  label: 'HL7 interface (MLLP)',
  sentence: 'Send signed PDFs to your document system as HL7 v2 MDM messages.',
  fields: [
    ...CONNECTION,
    {
      key: 'documentType',
      label: 'Document type (TXA-2)',
      placeholder: 'CONSENT',
      hint: 'The code your document system files consent forms under. Leave empty for CONSENT.',
    },
  ],
};
