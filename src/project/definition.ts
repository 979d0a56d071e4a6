import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { duplicateKeys } from '../asl/duplicate-keys.js';
import { placeholderPattern } from '../asl/placeholder.js';
import type { DefinitionPath, StateMachineDefinition } from '../asl/types.js';
import { UsageError } from '../ui/errors.js';
import { notKnownError } from '../ui/suggest.js';
import { partitionOf } from '../aws/errors.js';
import { PROJECT_FILE, type Project, type TargetConfig } from './config.js';
import { functionArnSubstitutions } from './names.js';

export const DEFINITION_EXTENSIONS = ['.asl.yaml', '.asl.yml', '.asl.json'] as const;

/** `${Name}` in the CloudFormation DefinitionSubstitutions style. */
const PLACEHOLDER = placeholderPattern('g');
/** The same placeholder, matched only where it starts at `lastIndex` (a bare one, outside any JSON string). */
const PLACEHOLDER_HERE = placeholderPattern('y');

export interface SourcePosition {
  line: number;
  col: number;
}

export interface LoadedDefinition {
  file: string;
  /** The definition with every known placeholder substituted. */
  definition: StateMachineDefinition;
  /** Placeholder names in the file, in order of first appearance. */
  placeholders: string[];
  /** Placeholders with no substitution: still `${Name}` in `definition`. */
  unresolved: string[];
  /** Where a path of the definition (`['States', 'Pay', 'Next']`) sits in the source. */
  locate(at: DefinitionPath): SourcePosition;
  /** A .json file's keys written twice in one object, at the later one (validate decides what each means, as the emulator's check does). */
  duplicates?: Array<{ at: DefinitionPath } & SourcePosition>;
}

/** Reads and parses a YAML or JSON definition; syntax errors point at file:line:col. */
export function loadDefinitionFile(file: string, substitutions: Record<string, string> = {}): LoadedDefinition {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`, {
      code: 'FILE_NOT_FOUND',
      hint: 'check the path of the definition file',
    });
  }
  return parseDefinition(text, file, substitutions);
}

export function parseDefinition(text: string, file: string, substitutions: Record<string, string> = {}): LoadedDefinition {
  const json = file.endsWith('.json');
  const source = json ? barePlaceholders(text, substitutions) : text;
  if (json) checkJsonSyntax(source, file);
  const { document, lineCounter, raw, duplicates } = parsedYaml(source, file, json);
  const placeholders: string[] = [];
  const unresolved: string[] = [];
  const definition = substitute(raw, substitutions, placeholders, unresolved);
  return {
    file,
    definition: definition as StateMachineDefinition,
    placeholders,
    unresolved,
    locate: (at) => locateNode(document, lineCounter, at),
    duplicates,
  };
}

interface ParsedYaml {
  text: string;
  file: string;
  document: Document;
  lineCounter: LineCounter;
  /** As parsed, before substitution; `substitute` copies it, never changes it. */
  raw: unknown;
  duplicates?: LoadedDefinition['duplicates'];
}

/**
 * The last file parsed. `validate` and `build` render one definition once per target, and parsing
 * is most of a short run's time (the yaml parser runs cold in a fresh process): the same text is
 * parsed once, and each target substitutes its values into a copy.
 */
let lastParsed: ParsedYaml | undefined;

function parsedYaml(text: string, file: string, json: boolean): ParsedYaml {
  if (lastParsed?.file === file && lastParsed.text === text) return lastParsed;
  const lineCounter = new LineCounter();
  // YAML forbids a key twice in a mapping (its parser says so at the key); JSON only advises against it,
  // so a .json file's are found in its text and judged by validate, as the emulator judges them.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: !json });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new UsageError(`${file}:${line}:${col}: ${first.message.split('\n')[0]}`, {
      code: 'INVALID_DEFINITION',
      hint: 'fix the syntax at that line',
    });
  }
  if (!isMap(document.contents)) {
    throw new UsageError(`${file}:1:1: a state machine definition must be an object with StartAt and States`, { code: 'INVALID_DEFINITION' });
  }
  const duplicates = json ? duplicateKeys(text).map(({ at, offset }) => ({ at, ...lineCounter.linePos(offset) })) : undefined;
  lastParsed = { text, file, document, lineCounter, raw: document.toJS({ maxAliasCount: 100 }), duplicates };
  return lastParsed;
}

/**
 * A `${Name}` where a JSON value belongs, outside any string (`"MaxConcurrency": ${Max}`), as SAM and
 * CloudFormation templates write numbers and booleans: DefinitionSubstitutions replace the text before
 * the definition is parsed. With a value, the value takes its place as text, as CloudFormation does;
 * without one, it becomes the string `"${Name}"`, an unresolved placeholder like a quoted one.
 */
function barePlaceholders(text: string, substitutions: Record<string, string>): string {
  if (!text.includes('${')) return text;
  let out = '';
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      out += char;
      if (char === '\\') out += text[++index] ?? '';
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    PLACEHOLDER_HERE.lastIndex = index;
    const bare = char === '$' ? PLACEHOLDER_HERE.exec(text) : null;
    if (bare) {
      out += substitutions[bare[1]] ?? `"${bare[0]}"`;
      index += bare[0].length - 1;
    } else out += char;
  }
  return out;
}

/**
 * AWS parses a definition as strict JSON: the YAML parser would take a trailing comma or a
 * single-quoted string in a .json file, so a .json file is held to JSON first, at JSON's own position.
 */
function checkJsonSyntax(text: string, file: string): void {
  try {
    JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /at position (\d+)/.exec(message);
    const lines = at ? text.slice(0, Number(at[1])).split('\n') : undefined;
    const where = lines ? `${lines.length}:${lines[lines.length - 1].length + 1}` : '1:1';
    throw new UsageError(`${file}:${where}: invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/, "[\s\S]*" is not valid JSON$/, '')}`, {
      code: 'INVALID_DEFINITION',
      hint: 'fix the syntax at that line',
    });
  }
}

function substitute(value: unknown, substitutions: Record<string, string>, seen: string[], unresolved: string[]): unknown {
  if (typeof value === 'string') {
    // Most strings hold no placeholder: a regex replace with a callback per string was 5 ms of a cold `deliv validate`.
    if (!value.includes('${')) return value;
    return value.replace(PLACEHOLDER, (whole, name: string) => {
      if (!seen.includes(name)) seen.push(name);
      const replacement = substitutions[name];
      if (replacement === undefined) {
        // CloudFormation pseudo-parameters (`${AWS::AccountId}`) are filled by deploy, or by CloudFormation itself.
        if (!unresolved.includes(name) && !name.startsWith('AWS::')) unresolved.push(name);
        return whole;
      }
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, substitutions, seen, unresolved));
  if (value && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = substitute(item, substitutions, seen, unresolved);
    return result;
  }
  return value;
}

/** The deepest node on `at` that exists, so a missing field points at its parent (any YAML/JSON document). */
export function locateNode(document: Document, lineCounter: LineCounter, at: DefinitionPath): SourcePosition {
  let node: Node | null | undefined = document.contents as Node;
  let position = node?.range ? lineCounter.linePos(node.range[0]) : { line: 1, col: 1 };
  for (const key of at) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === key);
      if (!pair) break;
      const keyNode = pair.key as Node | undefined;
      if (keyNode?.range) position = lineCounter.linePos(keyNode.range[0]);
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      if (item.range) position = lineCounter.linePos(item.range[0]);
      node = item;
    } else {
      break;
    }
  }
  return { line: position.line, col: position.col };
}

/**
 * Loads one of the project's state machines with the target's substitutions applied.
 * `defaults` fill what the target leaves out (the ARNs of what deploy creates,
 * `AWS::Region`-style pseudo-parameters); the target's own values win.
 */
export function renderStateMachine(project: Project, machineName: string, targetName = 'local', defaults: Record<string, string> = {}): LoadedDefinition {
  const machine = project.config.stateMachines[machineName];
  if (!machine) {
    throw notKnownError('state machine', machineName, Object.keys(project.config.stateMachines), PROJECT_FILE);
  }
  const target = project.config.targets[targetName];
  if (!target) {
    throw notKnownError('target', targetName, Object.keys(project.config.targets), PROJECT_FILE);
  }
  // On AWS the functions' ARNs follow from their names; deploy passes the ARNs it got as defaults.
  const automatic = (target.kind ?? 'aws') === 'aws' ? functionArnSubstitutions(project, awsScope(target)) : {};
  const values: Record<string, string> = { ...automatic, ...defaults, ...target.substitutions };
  // A target's value may itself name the account or Region (`arn:aws:sns:eu-west-1:${AWS::AccountId}:orders`).
  for (const [name, value] of Object.entries(values)) values[name] = value.replace(/\$\{(AWS::[A-Za-z]+)\}/g, (whole, pseudo: string) => values[pseudo] ?? whole);
  return loadDefinitionFile(path.resolve(project.root, machine.definition), values);
}

/** A target's partition, Region and account, as pseudo-parameters where deliv.yaml does not say. */
function awsScope(target: TargetConfig): { partition: string; region: string; account: string } {
  const region = target.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return { partition: region ? partitionOf(region) : '${AWS::Partition}', region: region ?? '${AWS::Region}', account: target.accountId ?? '${AWS::AccountId}' };
}
