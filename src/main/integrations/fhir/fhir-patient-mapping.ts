// UK Core-style FHIR R4 Patient → SourcePatient. Pure: choosing the name, identifiers by system,
// mobile and email from telecom, the HTEST security label. Validation is the pipeline's job.
import type { Patient as FhirPatient, HumanName, Identifier } from '@medplum/fhirtypes';
import { NHS_NUMBER_SYSTEM, OLD_NHS_NUMBER_SYSTEM } from '../../../shared/config/sources.js';
import type { SourcePatient } from '../types.js';

export interface IdentifierSystems {
  local: string;
  /** Every system accepted as the national identifier. */
  national: string[];
}

/** The configured systems; the NHS number is accepted under both its current and older URI. */
export function identifierSystems(config: { local: string; national?: string }): IdentifierSystems {
  const national = config.national ?? NHS_NUMBER_SYSTEM;
  const nhs = [NHS_NUMBER_SYSTEM, OLD_NHS_NUMBER_SYSTEM];
  return { local: config.local, national: nhs.includes(national) ? nhs : [national] };
}

/** The `official` name when there are several; otherwise the usual one, then any not marked old. */
export function chooseName(names: HumanName[] | undefined): HumanName | undefined {
  if (!names || names.length === 0) return undefined;
  return (
    names.find((n) => n.use === 'official') ??
    names.find((n) => n.use === 'usual') ??
    names.find((n) => n.use !== 'old') ??
    names[0]
  );
}

export function identifierValue(identifiers: Identifier[] | undefined, systems: string[]): string | null {
  const found = identifiers?.find((i) => i.system !== undefined && systems.includes(i.system) && i.value);
  return found?.value ?? null;
}

export function isTestPatient(resource: FhirPatient): boolean {
  return resource.meta?.security?.some((c) => c.code === 'HTEST') ?? false;
}

export function mapFhirPatient(resource: FhirPatient, systems: IdentifierSystems): SourcePatient {
  const name = chooseName(resource.name);
  const given = name?.given ?? [];
  const telecom = (resource.telecom ?? []).filter((t) => t.use !== 'old' && t.value);
  return {
    title: name?.prefix?.[0] ?? null,
    firstName: given[0] as string,
    middleNames: given.length > 1 ? given.slice(1).join(' ') : null,
    familyName: name?.family as string,
    // Passed through as stored: a partial date (1970, 1970-09) fails the pipeline's schema.
    dateOfBirth: resource.birthDate as string,
    // FHIR's own coding; an absent gender is what FHIR calls "unknown".
    gender: resource.gender ?? 'unknown',
    localIdentifier: identifierValue(resource.identifier, [systems.local]) as string,
    nationalIdentifier: identifierValue(resource.identifier, systems.national),
    email: telecom.find((t) => t.system === 'email')?.value ?? null,
    mobile: telecom.find((t) => t.system === 'phone' && t.use === 'mobile')?.value ?? null,
    isTestPatient: isTestPatient(resource),
  };
}
