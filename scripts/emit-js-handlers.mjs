// Emits the JavaScript variant of every template handler from its TypeScript source,
// so that `deliv init --language js` ships plain ESM without a build step at init time.
// Run after editing a handler in templates/*/functions/*.ts; a test checks they agree.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const templatesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../templates');

export function emitJavaScript(source) {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: false, verbatimModuleSyntax: false },
  });
  return outputText;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const template of readdirSync(templatesDir)) {
    const functionsDir = path.join(templatesDir, template, 'functions');
    let files;
    try {
      files = readdirSync(functionsDir).filter((file) => file.endsWith('.ts'));
    } catch {
      continue;
    }
    for (const file of files) {
      const target = path.join(functionsDir, file.replace(/\.ts$/, '.js'));
      writeFileSync(target, emitJavaScript(readFileSync(path.join(functionsDir, file), 'utf8')));
      console.log(`wrote ${path.relative(process.cwd(), target)}`);
    }
  }
}
