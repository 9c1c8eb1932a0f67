import type { LoadedModel } from '../../core/model/loadModel';
import { SCANLENS_VERSION } from '../../core/version';
import type { Provenance } from '../../protocol/notebookResult';

/** Provenance for one command's outputs: the line as written, its parameters, the model's identity. */
export function provenance(command: string, parameters: Record<string, unknown>, model: LoadedModel | undefined): Provenance {
  return {
    scanlensVersion: SCANLENS_VERSION,
    command: command.trim(),
    parameters,
    model: model ? { name: model.manifest.name, version: model.manifest.version, sha256: model.sha256 } : null,
  };
}
