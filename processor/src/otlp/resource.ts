// The Resource and InstrumentationScope every span, log record and point carries. One record
// object is built per ResourceX / ScopeX wrapper and shared by all items in it: treat as read-only.
import type { ResourceRecord, ScopeRecord } from './records.ts';
import { toAttributes } from './any-value.ts';
import type { WireResource, WireScope } from './wire.ts';

export function toResourceRecord(resource: WireResource | null | undefined, schemaUrl: string | undefined): ResourceRecord {
  return {
    attributes: toAttributes(resource?.attributes),
    droppedAttributesCount: resource?.dropped_attributes_count ?? 0,
    schemaUrl: schemaUrl ?? '',
  };
}

export function toScopeRecord(scope: WireScope | null | undefined, schemaUrl: string | undefined): ScopeRecord {
  return {
    name: scope?.name ?? '',
    version: scope?.version ?? '',
    attributes: toAttributes(scope?.attributes),
    droppedAttributesCount: scope?.dropped_attributes_count ?? 0,
    schemaUrl: schemaUrl ?? '',
  };
}
