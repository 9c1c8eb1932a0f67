import { ScanLensError } from '../../../core/errors';
import type { CommandOf, CommandRunner } from '../commandContext';

/** `anomaly fit|score|eval` parses today; the detectors arrive with src/core/anomaly. */
export const anomalyCommand: CommandRunner<CommandOf<'anomaly'>> = async ({ command }) => {
  throw new ScanLensError(`anomaly ${command.subcommand} is not available yet: anomaly detection has not landed in this version of ScanLens`);
};
