// Folder or network share for signed PDFs.
import type { KindSpec } from './field-spec.js';

export const FOLDER_FORM: KindSpec = {
  label: 'Folder or network share',
  sentence: 'Signed PDFs are saved as files, for example on a shared drive your records team uses.',
  fields: [
    {
      key: 'path',
      label: 'Folder',
      placeholder: '\\\\records-server\\Consent forms',
      input: 'folder',
      required: true,
    },
    {
      key: 'fileNamePattern',
      label: 'File names',
      placeholder: '{localIdentifier}/{consentedDate} {procedure} {documentId}',
      hint: 'Leave empty for consent-{documentId}. A / makes a folder per patient. Other parts: {familyName} {firstName} {nationalIdentifier} {episodeId}.',
    },
    {
      key: 'sidecar',
      label: 'Also save the details beside each PDF (a .json file)',
      placeholder: '',
      input: 'checkbox',
      defaultValue: 'true',
      omitWhen: 'true',
    },
  ],
};
