/**
 * The `mcp` schema profile: only what MCP form-mode elicitation (protocol 2025-11-25) lets a
 * server put in `requestedSchema`. That is a flat object whose properties are strings
 * (with length limits and the formats email, uri, date and date-time), numbers, integers,
 * booleans, and single- or multi-select enums of strings.
 */
import type { ValidationIssue } from '../runtime/errors.js';

const topLevelKeys = new Set(['$schema', 'type', 'properties', 'required', 'title', 'description']);
const annotationKeys = ['type', 'title', 'description', 'default'];
const stringKeys = new Set([...annotationKeys, 'minLength', 'maxLength', 'format']);
const numberKeys = new Set([...annotationKeys, 'minimum', 'maximum']);
const booleanKeys = new Set(annotationKeys);
const untitledEnumKeys = new Set([...annotationKeys, 'enum', 'enumNames']);
const titledEnumKeys = new Set([...annotationKeys, 'oneOf']);
const multiSelectKeys = new Set([...annotationKeys, 'minItems', 'maxItems', 'items']);
const stringFormats = new Set(['email', 'uri', 'date', 'date-time']);

/** Returns each part of `schema` that the MCP profile does not allow; empty when it fits. */
export function checkMcpSchema(schema: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  extraKeys(schema, topLevelKeys, '', issues);
  if (schema.type !== 'object') issues.push({ path: '/type', message: 'must be "object"' });

  const properties = schema.properties;
  if (!isObject(properties)) {
    issues.push({ path: '/properties', message: 'must be an object of property schemas' });
    return issues;
  }
  for (const [name, property] of Object.entries(properties)) checkProperty(`/properties/${escapePointer(name)}`, property, issues);

  const required = schema.required;
  if (required !== undefined && (!Array.isArray(required) || !required.every((name) => typeof name === 'string' && Object.hasOwn(properties, name)))) {
    issues.push({ path: '/required', message: 'must be an array naming properties of this schema' });
  }
  return issues;
}

function checkProperty(path: string, property: unknown, issues: ValidationIssue[]): void {
  if (!isObject(property)) {
    issues.push({ path, message: 'must be a property schema object' });
    return;
  }

  switch (property.type) {
    case 'string':
      if ('enum' in property) return checkUntitledEnum(path, property, issues);
      if ('oneOf' in property) return checkTitledOptions(`${path}/oneOf`, property.oneOf, titledEnumKeys, property, path, issues);
      extraKeys(property, stringKeys, path, issues);
      if (property.format !== undefined && !stringFormats.has(property.format as string)) {
        issues.push({ path: `${path}/format`, message: `must be one of ${[...stringFormats].join(', ')}` });
      }
      return;
    case 'number':
    case 'integer':
      return extraKeys(property, numberKeys, path, issues);
    case 'boolean':
      return extraKeys(property, booleanKeys, path, issues);
    case 'array':
      return checkMultiSelect(path, property, issues);
    default:
      issues.push({ path: `${path}/type`, message: 'must be string, number, integer, boolean, or array for a multi-select enum; nested objects are not allowed' });
  }
}

function checkUntitledEnum(path: string, property: Record<string, unknown>, issues: ValidationIssue[]): void {
  extraKeys(property, untitledEnumKeys, path, issues);
  if (!isStringList(property.enum)) issues.push({ path: `${path}/enum`, message: 'must be a non-empty array of strings' });
}

function checkMultiSelect(path: string, property: Record<string, unknown>, issues: ValidationIssue[]): void {
  extraKeys(property, multiSelectKeys, path, issues);
  const items = property.items;
  if (!isObject(items)) {
    issues.push({ path: `${path}/items`, message: 'must be an enum of strings' });
    return;
  }
  if ('anyOf' in items) return checkTitledOptions(`${path}/items/anyOf`, items.anyOf, new Set(['anyOf']), items, `${path}/items`, issues);
  extraKeys(items, new Set(['type', 'enum']), `${path}/items`, issues);
  if (items.type !== 'string' || !isStringList(items.enum)) issues.push({ path: `${path}/items`, message: 'must be {"type": "string", "enum": [...]}' });
}

/** Titled options: `[{ "const": "value", "title": "Label" }, ...]`. */
function checkTitledOptions(path: string, options: unknown, allowed: Set<string>, owner: Record<string, unknown>, ownerPath: string, issues: ValidationIssue[]): void {
  extraKeys(owner, allowed, ownerPath, issues);
  const valid = Array.isArray(options) && options.length > 0 && options.every((option) => isObject(option) && typeof option.const === 'string' && typeof option.title === 'string' && Object.keys(option).length === 2);
  if (!valid) issues.push({ path, message: 'must be a non-empty array of {"const": string, "title": string}' });
}

function extraKeys(value: Record<string, unknown>, allowed: Set<string>, path: string, issues: ValidationIssue[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) issues.push({ path: `${path}/${escapePointer(key)}`, message: 'is not allowed in an MCP elicitation schema' });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string');
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
