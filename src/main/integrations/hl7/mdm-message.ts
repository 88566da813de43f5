// MDM^T02 (original document notification and content) carrying the consent PDF: PID for the
// patient, TXA for the document (TXA-12 = documentId, so the receiver can recognise a resend) and
// one OBX of type ED with the PDF as base64 on one line.
import { type StreamedBody, withBase64Between } from '../common/body-parts.js';
import type { ConsentDocument } from '../types.js';
import { encodeText } from './hl7-charset.js';
import { hl7Timestamp, mshSegment } from './hl7-header.js';
import { buildSegment } from './hl7-message.js';
import type { Hl7Header, Hl7Identity } from './hl7-settings.js';

export interface MdmSettings {
  header: Hl7Header;
  identity: Hl7Identity;
  documentType: string;
}

/** ISO 8601 with offset → HL7 DTM keeping the offset: 2024-05-01T10:15:00+01:00 → 20240501101500+0100. */
export function isoToDtm(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$/i.exec(iso);
  if (!m) return '';
  const offset = m[7]?.toUpperCase() === 'Z' ? '+0000' : (m[7] ?? '').replace(':', '');
  return `${m[1]}${m[2]}${m[3]}${m[4]}${m[5]}${m[6] ?? '00'}${offset}`;
}

/** The whole message, encoded; the base64 PDF is added as bytes rather than re-encoded character by character. */
/** The MDM^T02 message; the PDF's base64 in OBX-5 is made piece by piece as it is sent (body-parts.ts). */
export function buildMdm(s: MdmSettings, doc: ConsentDocument, controlId: string, now = new Date()): StreamedBody {
  const p = doc.params;
  const id = s.identity;
  const identifiers = [[p.patient.localIdentifier, '', '', id.localAuthority, id.localIdentifierType]];
  if (p.patient.nationalIdentifier) {
    identifiers.push([p.patient.nationalIdentifier, '', '', id.nationalAuthority, id.nationalIdentifierType]);
  }
  const consented = isoToDtm(p.document.consentedAt);
  const head = [
    mshSegment(s.header, ['MDM', 'T02', 'MDM_T02'], controlId, now),
    buildSegment('EVN', ['T02', hl7Timestamp(now)]),
    buildSegment('PID', [
      '1',
      '',
      { repeat: identifiers },
      '',
      [p.patient.familyName, p.patient.firstName],
      '',
      p.patient.dateOfBirth.replace(/-/g, ''),
    ]),
    // PV1 is required by MDM_T02; the visit is not known to the platform (class N: not applicable).
    buildSegment('PV1', ['1', 'N']),
    buildSegment('TXA', [
      '1',
      s.documentType,
      'AP',
      consented,
      ['', p.document.responsibleClinician],
      consented,
      '',
      '',
      '',
      '',
      '',
      [p.documentId, s.header.sendingApplication],
      '',
      '',
      '',
      p.fileName,
      p.document.confirmedAt ? 'AU' : 'DO',
      '',
      'AV',
    ]),
  ];
  const obxHead = `${buildSegment('OBX', ['1', 'ED', [s.documentType, p.document.title, 'L'], ''])}|^AP^PDF^Base64^`;
  const obxTail = `||||||F|||${consented}`;
  const note = [
    `Procedure: ${p.document.procedure}`,
    p.document.side ? `Side: ${p.document.side}` : '',
    p.document.confirmedAt ? `Confirmed: ${p.document.confirmedAt}` : '',
    `Episode: ${p.episodeId}`,
  ]
    .filter(Boolean)
    .join('. ');
  const nte = buildSegment('NTE', ['1', 'L', note]);
  return withBase64Between(
    encodeText(`${head.join('\r')}\r${obxHead}`, s.header.charset),
    doc.bytes,
    encodeText(`${obxTail}\r${nte}\r`, s.header.charset),
  );
}
