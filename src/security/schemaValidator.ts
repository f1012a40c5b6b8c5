/**
 * JSON Schema validation of accepted content, through Ajv. Each schema is compiled once
 * and kept in a bounded cache, so elicitations that share a schema share its validator.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formatsPluginModule from 'ajv-formats';
import { ElicitationError, type ValidationIssue } from '../runtime/errors.js';
import type { JsonSchema } from '../store/domainEvent.js';

// ajv-formats is CommonJS with its plugin on `exports.default`, which NodeNext types as the module object.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats = ((formatsPluginModule as unknown as { default?: FormatsPlugin }).default ?? formatsPluginModule) as unknown as FormatsPlugin;

const draft07Uris = new Set([
  'http://json-schema.org/draft-07/schema#',
  'http://json-schema.org/draft-07/schema',
  'http://json-schema.org/draft-06/schema#',
  'http://json-schema.org/draft-06/schema',
]);
const draft2020Uris = new Set(['https://json-schema.org/draft/2020-12/schema', 'https://json-schema.org/draft/2020-12/schema#']);

export interface SchemaValidatorOptions {
  /** How many compiled schemas to keep; the least recently used is dropped past it. */
  readonly maxCachedSchemas?: number;
}

type Dialect = 'draft-07' | '2020-12';

interface CachedValidator {
  /** The schema as compiled: a frozen copy that every elicitation with this schema shares. */
  readonly schema: JsonSchema;
  readonly validate: ValidateFunction;
  readonly dialect: Dialect;
  readonly key: string;
}

export class SchemaValidator {
  private readonly maxCachedSchemas: number;
  private readonly compilers: Record<Dialect, Ajv | Ajv2020>;
  /** By JSON text, in least-recently-used order (a Map keeps insertion order). */
  private readonly byText = new Map<string, CachedValidator>();
  /** By object identity, so a schema checked again costs no serialization. */
  private byObject = new WeakMap<object, CachedValidator>();

  constructor(options: SchemaValidatorOptions = {}) {
    this.maxCachedSchemas = options.maxCachedSchemas ?? 1000;
    const ajvOptions = { allErrors: true, strict: false, addUsedSchema: false, validateFormats: true } as const;
    this.compilers = { 'draft-07': new Ajv(ajvOptions), '2020-12': new Ajv2020(ajvOptions) };
    addFormats(this.compilers['draft-07'] as Ajv);
    addFormats(this.compilers['2020-12'] as unknown as Ajv);
  }

  /**
   * Compiles `schema`, or throws `INVALID_REQUEST` listing what makes it invalid.
   * A schema without `$schema` is read as JSON Schema 2020-12.
   */
  compile(schema: JsonSchema): ValidateFunction {
    return this.lookup(schema).validate;
  }

  /**
   * Compiles the schema whose JSON text is `text`, or finds it compiled, and returns the
   * shared frozen copy, so a million elicitations with one schema hold one schema object.
   * Throws `INVALID_REQUEST` when the text is not a valid schema.
   */
  intern(text: string): JsonSchema {
    const cached = this.byText.get(text);
    if (cached) {
      this.byText.delete(text);
      this.byText.set(text, cached);
      return cached.schema;
    }
    return this.lookup(JSON.parse(text) as JsonSchema).schema;
  }

  /** Returns each field of `content` that fails `schema`, and why; empty when it matches. */
  validate(schema: JsonSchema, content: unknown): ValidationIssue[] {
    const validate = this.compile(schema);
    if (validate(content)) return [];
    return (validate.errors ?? []).map(toIssue);
  }

  /** Tells whether `content` matches `schema`, without building the list of issues. */
  matches(schema: JsonSchema, content: unknown): boolean {
    return this.compile(schema)(content) === true;
  }

  private lookup(schema: JsonSchema): CachedValidator {
    const known = this.byObject.get(schema);
    if (known && this.byText.get(known.key) === known) return known;

    const key = JSON.stringify(schema);
    const cached = this.byText.get(key);
    if (cached) {
      this.byText.delete(key);
      this.byText.set(key, cached);
      this.byObject.set(schema, cached);
      return cached;
    }

    const compiled = this.compileNew(deepFreeze(structuredClone(schema)), key);
    this.byText.set(key, compiled);
    this.byObject.set(schema, compiled);
    this.evictPastBound();
    return compiled;
  }

  private compileNew(schema: JsonSchema, key: string): CachedValidator {
    const dialect = dialectOf(schema);
    try {
      return { schema, validate: this.compilers[dialect].compile(schema), dialect, key };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ElicitationError('INVALID_REQUEST', `the schema is not valid JSON Schema (${dialect}): ${reason}; fix the schema and send the request again`, {
        issues: [{ path: '/schema', message: reason }],
      });
    }
  }

  private evictPastBound(): void {
    while (this.byText.size > this.maxCachedSchemas) {
      const oldest = this.byText.entries().next().value as [string, CachedValidator];
      this.byText.delete(oldest[0]);
      // Ajv keeps every compiled schema in a cache of its own; drop it there too.
      this.compilers[oldest[1].dialect].removeSchema(oldest[1].schema);
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}

function dialectOf(schema: JsonSchema): Dialect {
  const declared = schema.$schema;
  if (declared === undefined || (typeof declared === 'string' && draft2020Uris.has(declared))) return '2020-12';
  if (typeof declared === 'string' && draft07Uris.has(declared)) return 'draft-07';
  throw new ElicitationError('INVALID_REQUEST', `the schema declares "$schema": ${JSON.stringify(declared)}, which is not supported; use JSON Schema 2020-12 or draft-07`, {
    issues: [{ path: '/schema/$schema', message: 'unsupported dialect' }],
  });
}

function toIssue(error: ErrorObject): ValidationIssue {
  const path = error.instancePath === '' ? '/' : error.instancePath;
  return { path, message: error.message ?? error.keyword };
}
