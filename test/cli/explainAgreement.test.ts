import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { getModel } from '../../src/core/model/modelCache';
import { CAM_METHODS } from '../../src/core/vocabulary/camMethods';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import type { ExplainResult } from '../../src/protocol/viewerMessages';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';
import { ViewerDocument } from '../../src/host/viewer/viewerDocument';
import { providerAnswer } from '../helpers/viewerPage';

/*
 * One engine for every explanation method: the same scan and class through
 * `scanlens explain --json`, a notebook cell and the viewer's host answer give
 * the same class, probabilities and raw map (the viewer: the map's size, its
 * heat drawn from the same map).
 */
const work = mkdtempSync(join(tmpdir(), 'scanlens-explain-agree-'));
process.env['SCANLENS_CACHE_DIR'] = work;
after(() => rmSync(work, { recursive: true, force: true }));
const SAMPLE = join(ROOT, 'samples', 'meningioma-02.png');

interface Explained {
  class: { index: number; label: string };
  probabilities: number[];
  map: { width: number; height: number; data: number[] };
}

test(`every explanation method (${CAM_METHODS.join(', ')}) gives the same class, probabilities and map in the CLI, a notebook cell and the viewer`, async () => {
  const model = await getModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
  const session = new NotebookSession({ baseDir: join(ROOT, 'samples'), defaultModelPath: join(ROOT, 'models', 'brain-mri-demo', 'model.json'), threads: 1, dryRun: true });
  // The viewer's host side as the provider runs it (its page only colours the heat it is sent).
  const document = await ViewerDocument.open({ fsPath: SAMPLE } as Parameters<typeof ViewerDocument.open>[0]);
  try {
    for (const method of CAM_METHODS) {
      const cli = runCli(['explain', SAMPLE, '--method', method, '--class', 'pituitary', '--threads', '1', '--json']);
      assert.equal(cli.status, 0, `${method}: ${cli.stderr}`);
      const fromCli = JSON.parse(cli.stdout) as Explained;
      const run = await executeCell(session, `explain meningioma-02.png method=${method} class=pituitary`);
      assert.ok(run.ok, `${method}: ${JSON.stringify(run.outputs)}`);
      const fromCell = (run.outputs[0] as { data: Record<string, unknown> }).data[SCANLENS_RESULT_MIME] as Explained;
      assert.deepEqual(fromCell.class, fromCli.class, method);
      assert.deepEqual(fromCell.probabilities, fromCli.probabilities, method);
      assert.deepEqual([fromCell.map.width, fromCell.map.height], [fromCli.map.width, fromCli.map.height], method);
      fromCell.map.data.forEach((v, i) =>
        assert.ok(Math.abs(v - fromCli.map.data[i]!) <= 1e-6 * Math.max(1, Math.abs(v)), `${method}: map[${i}] ${v} in the notebook, ${fromCli.map.data[i]} in the CLI`),
      );

      const answer = (await providerAnswer(document, model, { type: 'explain', axis: 'axial', index: 0, method, classIndex: fromCli.class.index })) as ExplainResult;
      assert.equal(answer.label, fromCli.class.label, method);
      assert.deepEqual(answer.mapSize, [fromCli.map.width, fromCli.map.height], method);
    }
  } finally {
    document.dispose();
  }
});
