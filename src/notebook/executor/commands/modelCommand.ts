import { markdownText, terminalText } from '../../../core/text/escape';
import type { Manifest } from '../../../core/model/manifest';
import type { NotebookResult } from '../../../protocol/notebookResult';
import { markdownTable } from '../../outputs/markdownTable';
import { displayOutput } from '../../outputs/notebookOutput';
import { provenance } from '../../outputs/provenance';
import type { CommandOf, CommandRunner } from '../commandContext';
import { parametersOf } from './parameters';

/** The input as the table shows it: width×height×channels, or for a 3D model its volume (depth×height×width, NCDHW) and its channels' sequences. */
function inputText({ size, channels, layout, sequences }: Manifest['input']): string {
  const named = sequences ? `: ${sequences.join(', ')}` : '';
  return layout === 'NCDHW' ? `${size.depth}×${size.height}×${size.width}×${channels} (NCDHW volume${named})` : `${size.width}×${size.height}×${channels}`;
}

/** `model <path>`: switch model and show what it is. */
export const modelCommand: CommandRunner<CommandOf<'model'>> = async ({ command, session }) => {
  const model = await session.useModel((await session.readPath(command.args[0]!)).path, command.options);
  const { manifest } = model;
  const result: NotebookResult = {
    kind: 'model',
    name: manifest.name,
    version: manifest.version,
    sha256: model.sha256,
    labels: [...manifest.labels],
    input: { width: manifest.input.size.width, height: manifest.input.size.height, channels: manifest.input.channels },
    assumptions: [...model.assumptions],
  };
  const table = {
    columns: ['model', 'version', 'input', 'classes', 'sha256'],
    rows: [[manifest.name, manifest.version, inputText(manifest.input), manifest.labels.join(', '), model.sha256.slice(0, 12)]],
  };
  const guesses = model.assumptions.length > 0 ? `\n\nGuessed (no manifest): ${markdownText(model.assumptions.join('; '))}` : '';
  const text = terminalText(`${manifest.name} ${manifest.version} (sha256 ${model.sha256.slice(0, 12)}…): ${manifest.labels.join(', ')}`);
  return [displayOutput({ result, markdown: markdownTable(table) + guesses, text }, provenance(command.text, parametersOf(command), model))];
};
