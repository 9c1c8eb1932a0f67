/**
 * npm run bench [-- --json] [-- --images N]
 *
 * Per-stage medians for one image, and folder throughput, each set against
 * the limit: a plain onnxruntime session running the same model on the same
 * tensors. Ratios > 1 mean ScanLens is slower than the bare runtime.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { classifyFiles } from '../src/core/classify/classify';
import { loadModel } from '../src/core/model/loadModel';
import { runModel } from '../src/core/model/runModel';
import { prepareInput } from '../src/core/preprocess/prepareInput';
import { loadScan } from '../src/core/scan/loadScan';
import { pngClaiming } from '../test/helpers/pngBomb';
import { rssMb, timeMedian } from './stats';

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const imagesArg = args.indexOf('--images');
const folderSize = imagesArg >= 0 ? Number(args[imagesArg + 1]) : 300;
const THREADS = 2;
const BATCH = 8;

async function main(): Promise<void> {
  const modelPath = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
  const sample = join(ROOT, 'samples', 'glioma-01.png');
  const model = await loadModel(modelPath, { threads: THREADS });
  const rssStart = rssMb();

  const decode = await timeMedian(30, () => loadScan(sample));
  const scan = await loadScan(sample);
  const preprocess = await timeMedian(30, () => prepareInput(scan, model.manifest));
  const { data } = await prepareInput(scan, model.manifest);
  const inference = await timeMedian(30, () => runModel(model, [data]));

  // The limit: a plain session on the same bytes and tensor, no ScanLens code in the loop.
  const plain = await ort.InferenceSession.create(model.onnxPath, { intraOpNumThreads: THREADS, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const dims = [1, 1, model.manifest.input.size.height, model.manifest.input.size.width];
  const ortForward = await timeMedian(30, () => plain.run({ [model.inputName]: new ort.Tensor('float32', data, dims) }));
  const endToEnd = await timeMedian(30, async () => runModel(model, [(await prepareInput(await loadScan(sample), model.manifest)).data]));

  // Folder: the samples copied until there are folderSize files.
  const folder = mkdtempSync(join(tmpdir(), 'scanlens-bench-'));
  const samples = readdirSync(join(ROOT, 'samples')).filter((f) => f.endsWith('.png'));
  const files: string[] = [];
  for (let i = 0; i < folderSize; i++) {
    const target = join(folder, `${String(i).padStart(5, '0')}.png`);
    copyFileSync(join(ROOT, 'samples', samples[i % samples.length]!), target);
    files.push(target);
  }
  const tensors = await Promise.all(samples.map(async (f) => (await prepareInput(await loadScan(join(ROOT, 'samples', f)), model.manifest)).data));
  const itemLength = tensors[0]!.length;
  const ortBatch = async (): Promise<void> => {
    for (let start = 0; start < folderSize; start += BATCH) {
      const n = Math.min(BATCH, folderSize - start);
      const stacked = new Float32Array(itemLength * n);
      for (let i = 0; i < n; i++) stacked.set(tensors[(start + i) % tensors.length]!, i * itemLength);
      await plain.run({ [model.inputName]: new ort.Tensor('float32', stacked, [n, ...dims.slice(1)]) });
    }
  };
  const ortFolderMs = await timeMedian(3, ortBatch, 1);
  const rssBeforeFolder = rssMb();
  const folderMs = await timeMedian(3, async () => {
    for await (const row of classifyFiles(model, files, { batchSize: BATCH })) if (row.error) throw new Error(row.error);
  }, 1);
  const rssAfterFolder = rssMb();

  const bombFile = join(folder, 'bomb.png');
  writeFileSync(bombFile, pngClaiming(100000, 100000));
  const bomb = await timeMedian(20, () => loadScan(bombFile).catch(() => undefined));
  rmSync(folder, { recursive: true, force: true });

  const result = {
    machine: { threads: THREADS, batch: BATCH, folderImages: folderSize },
    medians_ms: {
      decode,
      preprocess,
      inference,
      ort_forward: ortForward,
      classify_end_to_end: endToEnd,
      folder_total: folderMs,
      ort_folder_total: ortFolderMs,
      bomb_refusal: bomb,
    },
    throughput_images_per_s: { scanlens: (folderSize / folderMs) * 1000, ort: (folderSize / ortFolderMs) * 1000 },
    ratios: {
      inference_vs_ort: inference / ortForward,
      classify_vs_ort: endToEnd / ortForward,
      batch_throughput_vs_ort: ortFolderMs / folderMs,
    },
    rss_mb: { start: rssStart, before_folder: rssBeforeFolder, after_folder: rssAfterFolder, peak: rssMb() },
    rss_growth_mb: rssAfterFolder - rssBeforeFolder,
  };
  if (json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  const ms = (v: number): string => `${v.toFixed(2)} ms`;
  const lines = [
    `ScanLens benchmark — demo model, ${THREADS} threads, batch ${BATCH}, ${folderSize}-image folder (medians)`,
    `  decode              ${ms(decode)}`,
    `  preprocess          ${ms(preprocess)}`,
    `  inference           ${ms(inference)}   (plain onnxruntime: ${ms(ortForward)}, ratio ${result.ratios.inference_vs_ort.toFixed(2)})`,
    `  classify one image  ${ms(endToEnd)}   (ratio to plain forward ${result.ratios.classify_vs_ort.toFixed(2)})`,
    `  folder throughput   ${result.throughput_images_per_s.scanlens.toFixed(1)} img/s (plain onnxruntime on ready tensors: ${result.throughput_images_per_s.ort.toFixed(1)} img/s, ${(result.ratios.batch_throughput_vs_ort * 100).toFixed(0)}%)`,
    `  100000² PNG refused ${ms(bomb)}`,
    `  RSS                 peak ${result.rss_mb.peak.toFixed(0)} MB, growth over the folder ${result.rss_growth_mb.toFixed(1)} MB`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
