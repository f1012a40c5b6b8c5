/**
 * The few JSON Schemas that generated requests use, each with a hand-written predicate
 * that decides for the reference model whether content matches, so the model does not share
 * the runtime's validator. The content pool mixes matching and failing values.
 */

export type SchemaName = 'approval' | 'anyObject' | 'choice';

export interface PoolSchema {
  readonly schema: Record<string, unknown>;
  readonly matches: (content: unknown) => boolean;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const schemaPool: Readonly<Record<SchemaName, PoolSchema>> = {
  approval: {
    schema: {
      type: 'object',
      properties: { approved: { type: 'boolean' } },
      required: ['approved'],
      additionalProperties: false,
    },
    matches: (content) => isPlainObject(content) && Object.keys(content).length === 1 && typeof content.approved === 'boolean',
  },
  anyObject: {
    schema: { type: 'object' },
    matches: isPlainObject,
  },
  choice: {
    schema: { enum: ['yes', 'no'] },
    matches: (content) => content === 'yes' || content === 'no',
  },
};

export const schemaNames = Object.keys(schemaPool) as SchemaName[];

/** Content values for accepts: each matches some of the schemas above and fails the others. */
export const contentPool: readonly unknown[] = [
  { approved: true },
  { approved: false },
  { approved: 'yes' },
  {},
  { approved: true, note: 'late' },
  'yes',
  'no',
  'maybe',
  42,
  null,
  [],
];
