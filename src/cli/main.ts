import { Command, CommanderError } from 'commander';
import { SCANLENS_VERSION } from '../core/version';
import { anomalyCommand } from './anomalyCommand';
import { classifyCommand } from './classifyCommand';
import { infoCommand } from './infoCommand';
import { evaluateCommand } from './evaluateCommand';
import { explainCommand } from './explainCommand';
import { mergeCommand } from './mergeCommand';
import { EXIT, printError } from './output';
import { preprocessCommand } from './preprocessCommand';
import { runCommand } from './runCommand';
import { trainCommand } from './trainCommand';

const program = new Command('scanlens')
  .description('Local ONNX inference on medical scans. A research tool, not a medical device; nothing leaves this machine.')
  .version(SCANLENS_VERSION)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'scanlens: ')) })
  .addCommand(classifyCommand())
  .addCommand(infoCommand())
  .addCommand(preprocessCommand())
  .addCommand(explainCommand())
  .addCommand(evaluateCommand())
  .addCommand(runCommand())
  .addCommand(anomalyCommand())
  .addCommand(mergeCommand())
  .addCommand(trainCommand());

for (const command of program.commands) command.exitOverride();

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every usage mistake exits 1.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return;
  }
  printError(error);
  process.exitCode = EXIT.usage;
});
