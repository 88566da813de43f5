// FHIR server, for patient lookup and for filing documents.
import { AUTH_FIELDS, CA_FILE_FIELD, type FieldSpec, type KindSpec } from './field-spec.js';

const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';

function baseFields(example: string): FieldSpec[] {
  return [
    { key: 'baseUrl', label: 'Server address', placeholder: example, required: true },
    {
      key: 'identifierSystems.local',
      label: 'Hospital number system',
      placeholder: 'https://fhir.example-hospital.nhs.uk/Id/hospital-number',
      hint: 'The identifier system your FHIR server files hospital numbers under. Ask your supplier.',
      required: true,
    },
  ];
}

export const FHIR_LOOKUP_FORM: KindSpec = {
  label: 'FHIR server',
  sentence: 'Your patient system offers a FHIR R4 interface.',
  fields: [
    ...baseFields('https://pas.example-hospital.nhs.uk/fhir/R4'),
    {
      key: 'identifierSystems.national',
      label: 'NHS number system',
      placeholder: NHS_NUMBER_SYSTEM,
      defaultValue: NHS_NUMBER_SYSTEM,
      hint: 'Leave as it is unless your supplier says otherwise.',
    },
    ...AUTH_FIELDS,
    CA_FILE_FIELD,
  ],
};

export const FHIR_STORE_FORM: KindSpec = {
  label: 'FHIR server',
  sentence: 'Signed PDFs are filed as documents on the patient record through FHIR.',
  fields: [...baseFields('https://epr.example-hospital.nhs.uk/fhir/R4'), ...AUTH_FIELDS, CA_FILE_FIELD],
};
