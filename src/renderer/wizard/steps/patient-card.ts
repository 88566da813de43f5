// A test lookup's answer laid out as the platform shows a patient. Shown only to the person who
// typed the number, only after they asked.
import type { Patient } from '../../../shared/protocol/methods.js';
import { h } from '../../dom.js';

const GENDER: Record<Patient['gender'], string> = {
  male: 'Male',
  female: 'Female',
  other: 'Other',
  unknown: 'Unknown',
};

function formatDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${d} ${months[(m ?? 1) - 1]} ${y}`;
}

/** Laid out as the platform shows a patient: name first, then the identifiers and contact details. */
export function patientCard(p: Patient): Node {
  const name = [p.title, p.firstName, p.middleNames, p.familyName].filter(Boolean).join(' ');
  const nhs = p.nationalIdentifier ? p.nationalIdentifier.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3') : '—';
  const rows: [string, string][] = [
    ['Date of birth', formatDate(p.dateOfBirth)],
    ['Gender', GENDER[p.gender]],
    ['Hospital number', p.localIdentifier],
    ['NHS number', nhs],
    ['Email', p.email ?? '—'],
    ['Mobile', p.mobile ?? '—'],
    ['Test patient', p.isTestPatient ? 'Yes' : 'No'],
  ];
  return h(
    'div',
    { className: 'patient-card' },
    h('p', { className: 'patient-card__name' }, name),
    h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
  );
}
