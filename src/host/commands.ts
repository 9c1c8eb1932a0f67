/**
 * Everything a command needs beyond the shell: zod, the engine, and (on the
 * first inference) onnxruntime and sharp. Bundled apart as dist/commands.js and
 * required on the first command, so activation loads none of it.
 */
export { classifyCommand } from './classifyCommand';
export { selectModelCommand } from './selectModelCommand';
export { trainCommand } from './trainCommand';
export { releaseModels } from '../core/model/modelCache';
export { releasePools } from '../core/classify/preparePool';
export { releaseFeatureSessions } from '../core/anomaly/features/featureSession';
export { ViewerProvider } from './viewer/viewerProvider';
export { ResultsPanels } from './results/resultsPanels';
export { openResultsCommand, restoreResults } from './results/openResultsCommand';
export { notebookResults } from './results/notebookResults';
export { NotebookKernel } from './notebook/notebookKernel';
export { cellCompletions } from './notebook/cellCompletions';
export { scanPicture } from './notebook/scanPicture';
