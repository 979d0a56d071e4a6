import path from 'node:path';
import type { WorkflowType } from '../asl/types.js';
import { UsageError } from '../ui/errors.js';
import {
  DEFAULT_REGION,
  folderWriteProblem,
  isFolderEmpty,
  projectNameProblem,
  regionProblem,
  workflowTypeFor,
  type HandlerLanguage,
  type ScaffoldOptions,
} from './scaffold.js';
import { getTemplate, listTemplates, type Template } from './templates.js';

export interface InitFlags {
  dir?: string;
  template?: string[];
  name?: string;
  type?: string;
  region?: string;
  language?: string;
  yes?: boolean;
  force?: boolean;
}

export const DEFAULT_PROJECT_NAME = 'delivery-workflows';
/** The template --yes takes when none is named: the main one, which the README's quick start uses. */
export const DEFAULT_TEMPLATE = 'order-fulfillment';

/**
 * Turns flags (and, on a terminal, answers to prompts) into scaffold options.
 * Every flag is checked before the first question, and nothing is written here,
 * so cancelling a prompt leaves the disk untouched. Without a terminal nothing is
 * ever asked: a missing answer is an error naming its flag, unless --yes takes the default.
 */
export async function resolveInitOptions(flags: InitFlags, interactive: boolean): Promise<ScaffoldOptions> {
  const ask = interactive && !flags.yes;
  const missing = (flag: string, what: string) =>
    new UsageError(`missing ${flag}: no terminal to ask for ${what}`, { hint: `pass ${flag}, or --yes to accept the defaults` });

  const chosen = (flags.template ?? []).map((name) => getTemplate(name));
  if (flags.name !== undefined) checkName(flags.name);
  if (flags.region !== undefined) checkRegion(flags.region);
  const language = flags.language === undefined ? undefined : parseLanguage(flags.language);
  const requestedType = flags.type === undefined ? undefined : parseType(flags.type);
  for (const template of chosen) if (requestedType) workflowTypeFor(template, requestedType);
  if (flags.dir !== undefined) checkFolder(flags.dir, flags.force);

  const prompts = ask ? await import('@inquirer/prompts') : undefined;

  let templates = chosen;
  if (templates.length === 0 && flags.yes) templates = [getTemplate(DEFAULT_TEMPLATE)];
  if (templates.length === 0) {
    if (!prompts) throw new UsageError('missing --template: which template should the project start from?', {
      hint: `pass --template with one of: ${listTemplates().map((template) => template.name).join(', ')} (repeatable)`,
    });
    const names = await prompts.checkbox({
      message: 'Templates (space to select, enter to confirm)',
      choices: listTemplates().map((template) => ({ name: `${template.name}  (${template.types.join('/')})`, value: template.name, description: template.description })),
      required: true,
    });
    templates = names.map((name) => getTemplate(name));
  }

  const folderName = flags.dir === undefined ? undefined : path.basename(path.resolve(flags.dir));
  let name = flags.name;
  if (name === undefined) {
    const suggestion = folderName && !projectNameProblem(folderName) ? folderName : DEFAULT_PROJECT_NAME;
    if (prompts) name = await prompts.input({ message: 'Project name', default: suggestion, validate: (value) => projectNameProblem(value.trim()) ?? true });
    else if (flags.yes || folderName !== undefined) name = suggestion;
    else throw missing('--name', 'the project name (or give DIR)');
    name = name.trim();
    checkName(name);
  }
  const dir = flags.dir ?? name;
  if (flags.dir === undefined) checkFolder(dir, flags.force);

  const types: Record<string, WorkflowType> = {};
  for (const template of templates) {
    types[template.name] = requestedType ? workflowTypeFor(template, requestedType) : await chooseType(template);
  }

  let region = flags.region;
  if (region === undefined) {
    if (prompts) region = (await prompts.input({ message: 'AWS region for the example AWS target', default: DEFAULT_REGION, validate: (value) => regionProblem(value.trim()) ?? true })).trim();
    else if (flags.yes) region = DEFAULT_REGION;
    else throw missing('--region', 'the AWS region');
  }

  let handlerLanguage = language;
  if (handlerLanguage === undefined) {
    if (prompts) {
      handlerLanguage = await prompts.select<HandlerLanguage>({
        message: 'Handler language',
        choices: [
          { name: 'TypeScript', value: 'ts' },
          { name: 'JavaScript', value: 'js' },
        ],
      });
    } else if (flags.yes) handlerLanguage = 'ts';
    else throw missing('--language', 'the handler language');
  }

  return { dir, name, templates: templates.map((template) => template.name), types, region, language: handlerLanguage, force: flags.force };

  async function chooseType(template: Template): Promise<WorkflowType> {
    if (template.types.length === 1) return template.types[0];
    if (prompts) {
      return prompts.select<WorkflowType>({
        message: `Workflow type for ${template.name}`,
        choices: template.types.map((type) => ({ name: type === 'STANDARD' ? 'STANDARD (long-running, exactly once)' : 'EXPRESS (short, high-volume, at least once)', value: type })),
        default: template.types[0],
      });
    }
    if (flags.yes) return template.types[0];
    throw missing('--type', `the workflow type of ${template.name} (${template.types.join(' or ')})`);
  }
}

function checkName(name: string): void {
  const problem = projectNameProblem(name);
  if (problem) throw new UsageError(`invalid project name \`${name}\`: ${problem}`, { hint: 'use letters, digits, - and _ (1 to 80 characters)' });
}

function checkRegion(region: string): void {
  const problem = regionProblem(region);
  if (problem) throw new UsageError(problem, { hint: 'pass --region with a region such as eu-west-1' });
}

function checkFolder(dir: string, force: boolean | undefined): void {
  if (!force && !isFolderEmpty(path.resolve(dir))) {
    throw new UsageError(`${dir} is not empty`, { hint: 'choose an empty or new folder, or pass --force to write into it anyway' });
  }
  // Before any question: a folder that cannot be written fails now, not after the last answer.
  const problem = folderWriteProblem(dir);
  if (problem) throw new UsageError(problem, { hint: 'choose a folder you can write to' });
}

function parseLanguage(value: string): HandlerLanguage {
  const normalised = value.toLowerCase();
  if (normalised === 'ts' || normalised === 'typescript') return 'ts';
  if (normalised === 'js' || normalised === 'javascript') return 'js';
  throw new UsageError(`unknown handler language \`${value}\``, { hint: 'use --language ts or --language js' });
}

function parseType(value: string): WorkflowType {
  const normalised = value.toUpperCase();
  if (normalised === 'STANDARD' || normalised === 'EXPRESS') return normalised;
  throw new UsageError(`unknown workflow type \`${value}\``, { hint: 'use --type STANDARD or --type EXPRESS' });
}
