// Column mapping for a database source: the result fields a column can fill, their names in words,
// and a first guess from the column names alone (`surname` → family name). Shared by the wizard
// (drop-downs preselected) and the controller (which column's codes to offer for gender).

/** The patient.lookup result fields a column fills, in the order the wizard lists them. */
export const MAPPED_FIELDS = [
  ['firstName', 'First name', true],
  ['familyName', 'Family name', true],
  ['dateOfBirth', 'Date of birth', true],
  ['gender', 'Gender', true],
  ['localIdentifier', 'Hospital number', true],
  ['nationalIdentifier', 'NHS number', false],
  ['title', 'Title', false],
  ['middleNames', 'Middle names', false],
  ['email', 'Email', false],
  ['mobile', 'Mobile', false],
  ['isTestPatient', 'Test patient flag', false],
] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number][0];

/** Names (lower case, without _ - and spaces) that usually hold each field, best first. */
const HINTS: Record<MappedField, string[]> = {
  firstName: ['firstname', 'forename', 'givenname', 'given', 'forenames', 'fname', 'first'],
  familyName: ['familyname', 'surname', 'lastname', 'family', 'lname', 'last'],
  dateOfBirth: ['dateofbirth', 'dob', 'birthdate', 'birthdt', 'birth', 'dtob'],
  gender: ['gender', 'sex', 'gendercode', 'sexcode'],
  localIdentifier: [
    'hospitalnumber',
    'hospitalno',
    'hospno',
    'mrn',
    'patid',
    'patientid',
    'localid',
    'localidentifier',
    'crn',
    'casenote',
    'casenoteno',
  ],
  nationalIdentifier: ['nhsnumber', 'nhsno', 'nhs', 'nationalid', 'nationalidentifier'],
  title: ['title', 'prefix', 'salutation'],
  middleNames: ['middlenames', 'middlename', 'middle', 'othernames'],
  email: ['email', 'emailaddress', 'mail'],
  mobile: ['mobile', 'mobiletel', 'mobilephone', 'mobileno', 'mobilenumber', 'cellphone', 'phonemobile'],
  isTestPatient: ['istestpatient', 'testpatient', 'testflag', 'istest', 'test'],
};

const squash = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, '');

/** Each field's most likely column (exact hint first, then a hint the name starts with); each column used once. */
export function guessColumns(columns: readonly string[]): Partial<Record<MappedField, string>> {
  const taken = new Set<string>();
  const out: Partial<Record<MappedField, string>> = {};
  const pass = (match: (col: string, hint: string) => boolean) => {
    for (const [field] of MAPPED_FIELDS) {
      if (out[field]) continue;
      for (const hint of HINTS[field]) {
        const col = columns.find((c) => !taken.has(c) && match(squash(c), hint));
        if (col) {
          out[field] = col;
          taken.add(col);
          break;
        }
      }
    }
  };
  pass((col, hint) => col === hint);
  pass((col, hint) => hint.length >= 3 && (col.startsWith(hint) || col.endsWith(hint)));
  return out;
}
