// IHE PDQ (ITI-21) query: QBP^Q22^QBP_Q21 asking for the patients whose PID-3 holds this identifier
// under the configured assigning authority and identifier type.

import { encodeSegments, mshSegment } from './hl7-header.js';
import { buildSegment } from './hl7-message.js';
import type { Hl7Header, Hl7Identity } from './hl7-settings.js';

export type IdentifierKind = 'local' | 'national';

/** At most this many records are asked for: one answers, two already mean ambiguous_match. */
export const PDQ_QUANTITY_LIMIT = 10;

export interface PdqQuery {
  header: Hl7Header;
  identity: Hl7Identity;
  queryName: string;
}

export function buildPdqQuery(
  q: PdqQuery,
  identifier: string,
  kind: IdentifierKind,
  controlId: string,
  now = new Date(),
): Buffer {
  const authority = kind === 'local' ? q.identity.localAuthority : q.identity.nationalAuthority;
  const type = kind === 'local' ? q.identity.localIdentifierType : q.identity.nationalIdentifierType;
  const segments = [
    mshSegment(q.header, ['QBP', 'Q22', 'QBP_Q21'], controlId, now),
    buildSegment('QPD', [
      [q.queryName, q.queryName, 'IHE-ITI'],
      // The query tag is the control ID: QAK-1 must echo it.
      controlId,
      {
        repeat: [
          ['@PID.3.1', identifier],
          ['@PID.3.4.1', authority],
          ['@PID.3.5', type],
        ],
      },
    ]),
    // Immediate priority; a bounded number of records.
    buildSegment('RCP', ['I', [String(PDQ_QUANTITY_LIMIT), 'RD']]),
  ];
  return encodeSegments(segments, q.header);
}
