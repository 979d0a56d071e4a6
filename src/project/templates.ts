import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { WorkflowType } from '../asl/types.js';
import { UsageError } from '../ui/errors.js';
import type { FunctionConfig } from './config.js';

/** templates/ ships beside dist/ and src/ in the package, so the same relative path works for both. */
export const TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates');

export interface TemplateFunction {
  /** Handler source in the template's functions/ folder (TypeScript; a `.js` twin sits beside it). */
  source: string;
  timeoutSeconds: number;
  memoryMB: number;
  durationMs: number;
  /** IAM statements the handler needs on AWS beyond its logs (deliv.yaml `functions.<name>.permissions`). */
  permissions?: FunctionConfig['permissions'];
}

/**
 * A `${Name}` placeholder of the template's definition. Its value per target is either
 * the ARN of one of the template's functions or `default`, where `{region}` and
 * `{account}` are replaced by the target's.
 */
export interface TemplateParameter {
  name: string;
  description: string;
  function?: string;
  default?: string;
}

export interface Template {
  name: string;
  description: string;
  /** Workflow types the template works with; the first is the default. */
  types: WorkflowType[];
  language: 'JSONPath' | 'JSONata';
  features: string[];
  functions: Record<string, TemplateFunction>;
  parameters: TemplateParameter[];
  dir: string;
  definitionFile: string;
}

let cache: Template[] | undefined;

/** Every bundled template, sorted by name. */
export function listTemplates(): Template[] {
  cache ??= readdirSync(TEMPLATES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(TEMPLATES_DIR, entry.name, 'template.yaml')))
    .map((entry) => readTemplate(path.join(TEMPLATES_DIR, entry.name)))
    .sort((a, b) => a.name.localeCompare(b.name));
  return cache;
}

export function getTemplate(name: string): Template {
  const template = listTemplates().find((candidate) => candidate.name === name);
  if (!template) {
    throw new UsageError(`unknown template \`${name}\``, {
      hint: `available templates: ${listTemplates().map((known) => known.name).join(', ')}`,
    });
  }
  return template;
}

function readTemplate(dir: string): Template {
  const raw = parse(readFileSync(path.join(dir, 'template.yaml'), 'utf8')) as Omit<Template, 'dir' | 'definitionFile' | 'parameters'> & {
    parameters?: Record<string, Omit<TemplateParameter, 'name'>>;
  };
  return {
    name: raw.name,
    description: raw.description,
    types: raw.types.map((type) => type.toUpperCase() as WorkflowType),
    language: raw.language,
    features: raw.features ?? [],
    functions: raw.functions ?? {},
    parameters: Object.entries(raw.parameters ?? {}).map(([name, parameter]) => ({ name, ...parameter })),
    dir,
    definitionFile: path.join(dir, 'statemachine.asl.yaml'),
  };
}

/** Where a template parameter points for one target (a region and an account). */
export function parameterValue(parameter: TemplateParameter, where: { region: string; account: string }): string {
  if (parameter.function) return `arn:aws:lambda:${where.region}:${where.account}:function:${parameter.function}`;
  return (parameter.default ?? '').replaceAll('{region}', where.region).replaceAll('{account}', where.account);
}
