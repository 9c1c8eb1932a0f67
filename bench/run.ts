/**
 * npm run bench [-- --json] [-- --images N] [-- --resnet-images N] [-- --probe-images N] [-- --soak N] [-- --runs N] [-- --only scorecam|vit|probe|volume3d]
 *
 * --only scorecam measures just Score-CAM on the ResNet-18 (median of --runs, 3 there by default);
 * --only vit just Grad-CAM on torchvision's ViT-B/16 (make_real_exports.py --full) against its plain forward+backward.
 * --only probe just the linear probe (scanlens train) on the ResNet-18 against extracting the same embeddings alone.
 * --only volume3d just the 96³ 3D ResNet (export_resnet3d.py): classify + Grad-CAM against its plain forward+backward.
 * Per-stage medians for one image and folder throughput, each set against
 * the limit: plain onnxruntime running the same model on the same tensors.
 * Ratios of times > 1 mean ScanLens is slower than the bare runtime; the
 * throughput ratios are fractions of the baseline's images per second.
 * Models: the demo model (and anomaly fit's default detector for the anomaly stage), and
 * the ResNet-18 of scripts/bench/export_resnet18.py when .cache/bench/resnet18.onnx exists (with a PyTorch side-by-side when
 * /usr/bin/python3 has torch).
 */
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { defaultWorkers, releasePools } from '../src/core/classify/preparePool';
import { releaseExplainSessions } from '../src/core/explain/explainSessions';
import { defaultThreads, loadModel } from '../src/core/model/loadModel';
import { runModel } from '../src/core/model/runModel';
import { sampleFolder } from './dataset';
import { anomalyStage } from './anomaly';
import { coldStart } from './coldStart';
import { folderRatios, folderThroughput } from './folder';
import { pytorchGradCam } from './pytorch';
import { formatReport, vitB16Lines, volume3dLines } from './report';
import { targets } from './targets';
import { singleImage } from './single';
import { soak } from './soak';
import { vitB16Stage } from './vitB16';
import { volume3dStage } from './volume3d';
import { rssMb } from './stats';
import { scoreCamLine, scoreCamStage, type ScoreCamStage } from './scoreCam';
import { probeLine, probeStage, type ProbeStage } from './probe';

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const numberArg = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} needs a positive whole number`);
  return value;
};
const folderSize = numberArg('--images', 500);
const resnetFolderSize = numberArg('--resnet-images', 160);
const probeSize = numberArg('--probe-images', 1000);
const soakSize = numberArg('--soak', 1000);
const runs = numberArg('--runs', 30);
const THREADS = 2;
const BATCH = 8;
const RESNET18 = join(ROOT, '.cache', 'bench', 'resnet18.onnx');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
/** Whole Score-CAM calls are seconds each: a few runs, not --runs. */
const scoreCamRuns = only ? numberArg('--runs', 3) : 3;
// ViT-B/16 runs take ~0.5 s each: a third of the runs, at least 5.
const vitRuns = only === 'vit' ? numberArg('--runs', 10) : Math.max(5, Math.round(runs / 3));
// A 96³ 3D forward+backward is a few hundred ms: a third of the runs, at least 5.
const volumeRuns = only === 'volume3d' ? numberArg('--runs', 10) : Math.max(5, Math.round(runs / 3));
// A probe run on 1,000 ResNet-18 images is most of a minute: three alone, one in the full report.
const probeRuns = only === 'probe' ? numberArg('--runs', 3) : 1;

const log = (text: string): void => void process.stderr.write(`bench: ${text}\n`);

/** Score-CAM on the ResNet-18 alone (npm run bench -- --only scorecam): the line the full report prints, and its target. */
async function scoreCamOnly(): Promise<void> {
  if (!existsSync(RESNET18)) throw new Error(`${RESNET18} not found: run /usr/bin/python3 scripts/bench/export_resnet18.py`);
  log(`ResNet-18 Score-CAM, ${scoreCamRuns} runs`);
  const model = await loadModel(RESNET18, { threads: THREADS });
  const stage = await scoreCamStage(model, join(ROOT, 'samples', 'glioma-01.png'), THREADS, scoreCamRuns);
  await releaseExplainSessions();
  await model.session.release();
  const target = targets({}, undefined, stage.scorecam_ms).scorecam_resnet18!;
  const document = { machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), node: process.version, date: new Date().toISOString() }, threads: THREADS, scorecam: stage, target };
  process.stdout.write(json ? JSON.stringify(document, null, 2) + '\n' : `ResNet-18 224², ${THREADS} threads\n${scoreCamLine(stage)}\n  ${target.met ? 'met    ' : 'NOT met'}  ${target.target}\n`);
}

/** ViT-B/16 Grad-CAM alone (npm run bench -- --only vit): its stage lines and target. */
async function vitOnly(): Promise<void> {
  log(`ViT-B/16 224², one image, ${vitRuns} runs`);
  const vit = await vitB16Stage(ROOT, join(ROOT, 'samples', 'glioma-01.png'), THREADS, vitRuns);
  await releaseExplainSessions();
  if ('skipped' in vit) throw new Error(vit.skipped);
  const target = targets({ vit_b16_explain_vs_ort_forward_backward: vit.ratios.explain_vs_ort_forward_backward }, undefined).vit_b16_gradcam!;
  const document = { machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), node: process.version, date: new Date().toISOString() }, threads: THREADS, vit_b16: vit, target };
  process.stdout.write(json ? JSON.stringify(document, null, 2) + '\n' : `${vitB16Lines(vit).join('\n')}\n  ${target.met ? 'met    ' : 'NOT met'}  ${target.target}\n`);
}

/** The linear probe alone (npm run bench -- --only probe): its line and target. */
async function probeOnly(): Promise<void> {
  if (!existsSync(RESNET18)) throw new Error(`${RESNET18} not found: run /usr/bin/python3 scripts/bench/export_resnet18.py`);
  log(`ResNet-18 linear probe on ${probeSize} images, ${probeRuns} runs`);
  const model = await loadModel(RESNET18, { threads: THREADS });
  const probe = await probeStage(ROOT, model, probeSize, probeRuns);
  await model.session.release();
  const target = targets({ probe_vs_extraction: probe.train_vs_extraction }, undefined).probe_resnet18!;
  const document = { machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), node: process.version, date: new Date().toISOString() }, threads: THREADS, probe, target };
  process.stdout.write(json ? JSON.stringify(document, null, 2) + '\n' : `ResNet-18 224², ${THREADS} threads\n${probeLine(probe)}\n  ${target.met ? 'met    ' : 'NOT met'}  ${target.target}\n`);
}

/** The 96³ 3D model alone (npm run bench -- --only volume3d): its lines and target. */
async function volume3dOnly(): Promise<void> {
  log(`3D ResNet 96³, one volume, ${volumeRuns} runs`);
  const volume = await volume3dStage(ROOT, THREADS, volumeRuns);
  await releaseExplainSessions();
  if ('skipped' in volume) throw new Error(volume.skipped);
  const target = targets({ volume3d_gradcam_vs_ort_forward_backward: volume.ratios.classify_and_gradcam_vs_ort_forward_backward }, undefined).volume3d_gradcam!;
  const document = {
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), node: process.version, date: new Date().toISOString() },
    threads: THREADS,
    volume3d: volume,
    target,
  };
  process.stdout.write(json ? JSON.stringify(document, null, 2) + '\n' : `${volume3dLines(volume).join('\n')}\n  ${target.met ? 'met    ' : 'NOT met'}  ${target.target}\n`);
}

async function main(): Promise<void> {
  if (only !== undefined && !['scorecam', 'vit', 'probe', 'volume3d'].includes(only)) throw new Error('--only takes scorecam, vit, probe or volume3d');
  if (only === 'volume3d') return volume3dOnly();
  if (only === 'scorecam') return scoreCamOnly();
  if (only === 'vit') return vitOnly();
  if (only === 'probe') return probeOnly();
  const demoPath = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
  const sample = join(ROOT, 'samples', 'glioma-01.png');
  const rssStart = rssMb();

  log('demo model, one image');
  const demo = await loadModel(demoPath, { threads: THREADS });
  const demoSingle = await singleImage(demo, sample, THREADS, runs);
  log("anomaly fit's default detector (PaDiM on brain-ssl-backbone): fit, and score a slice");
  const demoAnomaly = await anomalyStage(ROOT, sample, THREADS, runs);

  log(`demo model, ${folderSize}-image folder`);
  const folderSet = sampleFolder(ROOT, folderSize);
  const folder = await folderThroughput(demoPath, folderSet.files, THREADS, BATCH, 3);
  rmSync(folderSet.folder, { recursive: true, force: true });

  // Before the ResNet-18 part, whose sessions would blur the demo pipeline's memory curve.
  log(`soak: ${soakSize} images`);
  const soakSet = sampleFolder(ROOT, soakSize, 'scanlens-soak-');
  const soakModel = await loadModel(demoPath, { threads: Math.max(1, Math.min(defaultThreads(), availableParallelism() - defaultWorkers())) });
  const soaked = await soak(soakModel, soakSet.files, BATCH);
  rmSync(soakSet.folder, { recursive: true, force: true });

  let resnet: Record<string, unknown> = { skipped: `${RESNET18} not found: run /usr/bin/python3 scripts/bench/export_resnet18.py` };
  let resnetRatios: Record<string, number> | undefined;
  let scoreCam: ScoreCamStage | undefined;
  let probe: ProbeStage | undefined;
  if (existsSync(RESNET18)) {
    log('ResNet-18 224², one image');
    const model = await loadModel(RESNET18, { threads: THREADS });
    // As many runs as the demo model's: medians of 10 moved a contender by ±0.2 ms from run to run, and each ratio sets one median against the best of several.
    const single = await singleImage(model, sample, THREADS, runs);
    log(`ResNet-18 Score-CAM, ${scoreCamRuns} runs`);
    scoreCam = await scoreCamStage(model, sample, THREADS, scoreCamRuns);
    log('ResNet-18 in PyTorch');
    const torch = pytorchGradCam(ROOT, single.input, THREADS, Math.max(5, Math.round(runs / 3)));
    const [logits] = await runModel(model, [single.input]);
    const scanlensTop = logits!.indexOf(Math.max(...logits!));
    log(`ResNet-18 linear probe on ${probeSize} images`);
    probe = await probeStage(ROOT, model, probeSize, probeRuns);
    await model.session.release();
    log('ResNet-18: whole cold processes, classify and explain --out');
    const cold = coldStart(ROOT, RESNET18, sample, Math.max(5, Math.round(runs / 3)));
    log(`ResNet-18 224², ${resnetFolderSize}-image folder`);
    const resnetSet = sampleFolder(ROOT, resnetFolderSize);
    const resnetFolder = await folderThroughput(RESNET18, resnetSet.files, THREADS, BATCH, 4);
    rmSync(resnetSet.folder, { recursive: true, force: true });
    resnetRatios = { ...single.ratios, ...folderRatios(resnetFolder), cold_explain_vs_cold_classify: cold.explain_vs_classify, probe_vs_extraction: probe.train_vs_extraction };
    if (typeof torch !== 'string') resnetRatios.pytorch_vs_scanlens = torch.gradcam_ms / single.stages_ms.explain_end_to_end!;
    resnet = {
      stages_ms: single.stages_ms,
      cold_process_ms: { classify: cold.classify_ms, explain: cold.explain_ms },
      scorecam: scoreCam,
      probe,
      ratios: resnetRatios,
      folder: resnetFolder,
      pytorch:
        typeof torch === 'string'
          ? { skipped: torch }
          : {
              ...torch,
              same_top_class: torch.top === scanlensTop,
              forward_vs_ort_forward: torch.forward_ms / single.stages_ms.ort_forward!,
              gradcam_vs_scanlens_explain_end_to_end: torch.gradcam_ms / single.stages_ms.explain_end_to_end!,
            },
    };
  }

  log('ViT-B/16 224², one image');
  const vit = await vitB16Stage(ROOT, sample, THREADS, vitRuns);
  await releaseExplainSessions();
  log('3D ResNet 96³, one volume');
  const volume3d = await volume3dStage(ROOT, THREADS, volumeRuns);

  const demoRatios = { ...demoSingle.ratios, ...demoAnomaly.ratios, ...folderRatios(folder) };
  // The headline ratios are the realistic model's when it was measured: on the tiny demo model fixed costs (reading a PNG) outweigh inference.
  const headline = resnetRatios ?? demoRatios;
  const result = {
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), node: process.version, date: new Date().toISOString() },
    settings: { threads: THREADS, batch: BATCH, folder_images: folderSize, soak_images: soakSize, runs },
    demo: { stages_ms: { ...demoSingle.stages_ms, ...demoAnomaly.stages_ms }, ratios: demoRatios, folder },
    resnet18: resnet,
    vit_b16: vit,
    volume3d,
    soak: soaked,
    ratios_model: resnetRatios ? 'resnet18' : 'demo',
    ratios: headline,
    targets: targets(
      {
        ...headline,
        vit_b16_explain_vs_ort_forward_backward: 'skipped' in vit ? undefined : vit.ratios.explain_vs_ort_forward_backward,
        volume3d_gradcam_vs_ort_forward_backward: 'skipped' in volume3d ? undefined : volume3d.ratios.classify_and_gradcam_vs_ort_forward_backward,
      },
      soaked,
      scoreCam?.scorecam_ms,
    ),
    rss_mb: { start: rssStart, peak: Math.max(soaked.rss_mb.peak, rssMb()) },
    rss_growth_mb: soaked.rss_growth_mb,
  };
  await releasePools();
  await releaseExplainSessions();
  process.stdout.write(json ? JSON.stringify(result, null, 2) + '\n' : formatReport(result));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
