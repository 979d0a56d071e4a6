/**
 * Every example in every command's --help, checked against a freshly
 * scaffolded project (all templates): each `deliv` invocation names a command
 * that exists, flags that command has, state machines deliv.yaml declares and
 * input files that are there. Files an example says come from elsewhere are
 * listed below with the reason.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from '@oclif/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaffoldProject } from '../../src/project/scaffold.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

/** Inputs an example itself says the user brings: they cannot be in a fresh scaffold. */
const BROUGHT_BY_THE_USER: Record<string, string> = {
  'statemachine.asl.json': 'a definition file outside any project (SAM, CDK, console export)',
  'exported.asl.json': 'a definition exported from elsewhere',
  'usage.yaml': 'a workload file the user writes (its format is in the --help text)',
  'order.json': 'piped in from stdin',
};
/** Flags whose value is written, not read. */
const OUTPUTS = new Set(['--out', '--data-dir']);

const TEMPLATES = readdirSync(path.join(REPO_ROOT, 'templates')).filter((name) => existsSync(path.join(REPO_ROOT, 'templates', name, 'template.yaml')) || existsSync(path.join(REPO_ROOT, 'templates', name, 'mocks.json')));

type CommandClass = Command.Class & { examples?: Array<string | { command: string }> };

async function loadCommands(): Promise<Map<string, CommandClass>> {
  const root = path.join(REPO_ROOT, 'src/commands');
  const commands = new Map<string, CommandClass>();
  const walk = async (dir: string, prefix: string[]) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), [...prefix, entry.name]);
      else if (entry.name.endsWith('.ts')) {
        const id = [...prefix, entry.name.replace(/\.ts$/, '')].filter((part) => part !== 'index').join(' ');
        commands.set(id, (await import(pathToFileURL(path.join(dir, entry.name)).href)).default as CommandClass);
      }
    }
  };
  await walk(root, []);
  return commands;
}

/** Shell words, quotes kept together and removed. */
function words(text: string): string[] {
  return [...text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3]);
}

let project: { dir: string; cleanup: () => void };
let commands: Map<string, CommandClass>;
let machines: string[];

beforeAll(async () => {
  project = tempDir('deliv-help-examples-');
  const result = scaffoldProject({ dir: path.join(project.dir, 'shop'), name: 'shop', templates: TEMPLATES, region: 'eu-west-1', language: 'ts' });
  machines = result.stateMachines;
  commands = await loadCommands();
});
afterAll(() => project?.cleanup());

describe('every --help example', () => {
  it('runs as written against a scaffolded project: its command, flags, machines and input files exist', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const [id, command] of commands) {
      for (const example of command.examples ?? []) {
        const text = (typeof example === 'string' ? example : example.command).replaceAll('<%= config.bin %>', 'deliv').replaceAll('<%= command.id %>', id);
        for (const segment of text.split(/\s*(?:\||&&|>)\s*/)) {
          const [program, ...rest] = words(segment);
          if (program !== 'deliv') continue;
          checked++;
          const invoked = [...commands.keys()].filter((name) => rest.join(' ').startsWith(name)).sort((a, b) => b.length - a.length)[0];
          if (!invoked) {
            problems.push(`${id}: \`${segment}\`: no such command`);
            continue;
          }
          const target = commands.get(invoked)!;
          const flags = { ...target.baseFlags, ...target.flags, help: {}, ...(target.enableJsonFlag ? { json: {} } : {}) } as Record<string, { char?: string; options?: readonly string[] } | undefined>;
          const chars = new Map(Object.entries(flags).filter(([, flag]) => flag?.char).map(([name, flag]) => [`-${flag!.char}`, name]));
          const tokens = rest.slice(invoked.split(' ').length);
          tokens.forEach((token, index) => {
            const previous = tokens[index - 1];
            if (token.startsWith('--')) {
              const name = token.slice(2).split('=')[0];
              if (!(name in flags)) problems.push(`${id}: \`${segment}\`: ${invoked} has no flag --${name}`);
              return;
            }
            if (/^-[a-zA-Z]$/.test(token)) {
              if (!chars.has(token)) problems.push(`${id}: \`${segment}\`: ${invoked} has no flag ${token}`);
              return;
            }
            if (previous && OUTPUTS.has(previous)) return;
            const looksLikeFile = /\.(json|ya?ml)$/.test(token) && !token.startsWith('{') && !token.startsWith('arn:');
            if (looksLikeFile && !(token in BROUGHT_BY_THE_USER) && !existsSync(path.join(project.dir, 'shop', token))) problems.push(`${id}: \`${segment}\`: ${token} is not in a scaffolded project`);
            const isArgument = !previous?.startsWith('-') || (previous.startsWith('-') && flags[previous.replace(/^-+/, '')] === undefined && !chars.has(previous));
            // A first argument names a state machine, except where the command takes something else there (`task work ACTIVITY`).
            const takesMachine = !['init'].includes(invoked) && Object.keys(target.args ?? {})[0] !== 'activity';
            if (isArgument && index === 0 && /^[a-z][a-z-]+$/.test(token) && Object.keys(target.args ?? {}).length > 0 && !machines.includes(token) && takesMachine) {
              problems.push(`${id}: \`${segment}\`: no state machine ${token} in a scaffolded deliv.yaml`);
            }
          });
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });
});
