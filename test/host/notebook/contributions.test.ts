import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMAND_NAMES, COMMAND_SPECS } from '../../../src/notebook/parser/commandSpecs';
import { RENDERER_ID } from '../../../src/protocol/rendererId';
import { SCANLENS_RESULT_MIME } from '../../../src/protocol/notebookResult';
import { ROOT } from '../../helpers/paths';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  activationEvents: string[];
  contributes: {
    notebookRenderer: { id: string; mimeTypes: string[]; entrypoint: string }[];
    languages: { id: string }[];
    grammars: { language: string; path: string }[];
    commands: { command: string }[];
  };
};

test('the renderer contribution names our renderer id and result mime', () => {
  const [renderer] = pkg.contributes.notebookRenderer;
  assert.equal(renderer?.id, RENDERER_ID);
  assert.deepEqual(renderer?.mimeTypes, [SCANLENS_RESULT_MIME]);
  assert.equal(renderer?.entrypoint, './dist/renderer/renderer.js');
});

test('the language activates the extension and has a grammar; the new-notebook command is contributed', () => {
  assert.ok(pkg.contributes.languages.some((l) => l.id === 'scanlens'));
  assert.ok(pkg.activationEvents.includes('onLanguage:scanlens'));
  assert.ok(pkg.activationEvents.includes('onCommand:scanlens.newNotebook'));
  assert.ok(pkg.contributes.commands.some((c) => c.command === 'scanlens.newNotebook'));
  assert.equal(pkg.contributes.grammars.find((g) => g.language === 'scanlens')?.path, './syntaxes/scanlens.tmLanguage.json');
});

test('the grammar highlights exactly the commands and subcommands the parser accepts', () => {
  const grammar = JSON.parse(readFileSync(join(ROOT, 'syntaxes', 'scanlens.tmLanguage.json'), 'utf8')) as { repository: { line: { begin: string } } };
  const begin = new RegExp(grammar.repository.line.begin);
  const [, commands, subcommands] = /\^\\s\*\(([^)]*)\)\\b\(\?:\\s\+\(([^)]*)\)/.exec(grammar.repository.line.begin) ?? [];
  assert.deepEqual(commands?.split('|').sort(), [...COMMAND_NAMES].sort());
  assert.deepEqual(subcommands?.split('|'), COMMAND_SPECS.anomaly.subcommands);
  assert.equal(begin.exec('  anomaly score x')?.[2], 'score');
  assert.equal(begin.exec('classifyx a.png'), null);
});
