/** The benchmark's human-readable table (the --json document holds the same numbers). */
import { scoreCamLine, type ScoreCamStage } from './scoreCam';
import { probeLine, type ProbeStage } from './probe';
import type { Target } from './targets';

interface Stages {
  readonly stages_ms: Record<string, number>;
  readonly ratios: Record<string, number>;
}

interface Folder {
  readonly images: number;
  readonly images_per_s: Record<string, number>;
  readonly settings: Record<string, unknown>;
}

interface Report {
  readonly machine: { cpu: string; cores: number; node: string; date: string };
  readonly settings: { threads: number; batch: number; folder_images: number; soak_images: number };
  readonly demo: Stages & { folder: Folder };
  readonly resnet18: unknown;
  readonly vit_b16: Stages | { skipped: string };
  readonly volume3d: Stages | { skipped: string };
  readonly soak: { images: number; rss_mb: { peak: number } };
  readonly ratios_model: string;
  readonly targets: Record<string, Target>;
  readonly rss_growth_mb: number;
}

const ms = (v: number | undefined): string => (v === undefined ? '—' : `${v.toFixed(2)} ms`);
const x = (v: number | undefined): string => (v === undefined ? '—' : `${v.toFixed(2)}×`);
const pct = (v: number | undefined): string => (v === undefined ? '—' : `${(v * 100).toFixed(0)}%`);

function stageLines(name: string, s: Stages): string[] {
  const t = s.stages_ms;
  return [
    `${name} — one image (medians, each the better of timed in alternation and timed alone)`,
    `  decode                          ${ms(t.decode)}`,
    `  preprocess                      ${ms(t.preprocess)}`,
    `  inference                       ${ms(t.inference)}   plain onnxruntime forward ${ms(t.ort_forward)}   ${x(s.ratios.inference_vs_ort)}`,
    `  classify (decode→probabilities) ${ms(t.classify_end_to_end)}   ${x(s.ratios.classify_vs_ort)} the plain forward`,
    `  explanation (Grad-CAM)          ${ms(t.explanation)}   plain forward+backward ${ms(t.ort_forward_backward)}   ${x(s.ratios.explain_vs_ort_forward_backward)}; ${x(s.ratios.explain_vs_ort_forward)} the plain forward`,
    `  render (overlay + PNG)          ${ms(t.render)}`,
    ...(t.anomaly === undefined
      ? []
      : [
          `  anomaly score (default), slice  ${ms(t.anomaly)}   plain backbone-with-features forward ${ms(t.ort_anomaly_features)}   ${x(s.ratios.anomaly_vs_ort_features)}`,
          `  anomaly fit (default), per image ${ms(t.anomaly_fit_per_image)}`,
        ]),
    `  classify + Grad-CAM + PNG       ${ms(t.explain_end_to_end)}   ${x(s.ratios.explain_end_to_end_vs_ort_forward_backward)} the plain forward+backward`,
  ];
}

function folderLines(name: string, f: Folder, ratios: Record<string, number>, threads: number): string[] {
  const ips = f.images_per_s;
  return [
    `${name} — ${f.images}-image folder (${JSON.stringify(f.settings)})`,
    `  ScanLens pipeline (decode workers)      ${ips.scanlens!.toFixed(0)} img/s`,
    `  ScanLens, decode in the main thread     ${ips.scanlens_in_thread_decode!.toFixed(0)} img/s`,
    `  ScanLens, 1 inference thread + worker   ${ips.scanlens_one_inference_thread!.toFixed(0)} img/s   ${pct(ratios.one_inference_thread_vs_ort_one_thread)} of onnxruntime's 1 thread on ready tensors (${ips.ort_ready_tensors_1_thread!.toFixed(0)} img/s)`,
    `  plain decode + onnxruntime loop         ${ips.plain_decode_ort_loop!.toFixed(0)} img/s   ScanLens ${pct(ratios.batch_throughput_vs_plain_decode_loop)} of it (best of 1 and ${threads} threads)`,
    `  plain onnxruntime on ready tensors      ${ips.ort_ready_tensors!.toFixed(0)} img/s   ScanLens ${pct(ratios.batch_throughput_vs_ort)} of it (no decoding; best of 1 and ${threads} threads and of three ways of waiting)`,
    '',
  ];
}

/** torchvision's ViT-B/16: the one-image stages, or why it was not measured. */
export function vitB16Lines(vit: Stages | { skipped: string }): string[] {
  if ('skipped' in vit) return [`ViT-B/16 224²: skipped (${vit.skipped})`];
  return stageLines("ViT-B/16 224² (torchvision, seeded random weights; Grad-CAM at the last block's ln_1)", vit);
}

/** The 96³ 3D ResNet: classify and classify + Grad-CAM, or why it was not measured. */
export function volume3dLines(v: Stages | { skipped: string }): string[] {
  if ('skipped' in v) return [`3D ResNet 96³: skipped (${v.skipped})`];
  const t = v.stages_ms;
  return [
    '3D ResNet 96³ (MONAI ResNet-10 shape, seeded random weights; the ch2 head at 2 mm) — one volume (medians)',
    `  prepare volume (RAS, crop/pad)  ${ms(t.prepare_volume)}`,
    `  classify (volume→probabilities) ${ms(t.classify)}   plain onnxruntime forward ${ms(t.ort_forward)}   ${x(v.ratios.classify_vs_ort_forward)}`,
    `  classify + Grad-CAM (3D map)    ${ms(t.classify_and_gradcam)}   plain forward+backward ${ms(t.ort_forward_backward)}   ${x(v.ratios.classify_and_gradcam_vs_ort_forward_backward)}`,
  ];
}

const shown = (t: Target): string => (t.value === undefined ? '—' : t.value.toFixed(2));

export function formatReport(r: Report): string {
  const lines = [
    `ScanLens benchmark — ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, ${r.machine.date}`,
    '',
    ...stageLines('demo model (128² grey CNN)', r.demo),
    '',
    ...folderLines('demo model', r.demo.folder, r.demo.ratios, r.settings.threads),
  ];
  const resnet = r.resnet18 as Stages & { skipped?: string; pytorch?: Record<string, unknown>; folder?: Folder };
  if (resnet.skipped) lines.push(`ResNet-18 224²: skipped (${resnet.skipped})`, '');
  else {
    lines.push(...stageLines('ResNet-18 224² (seeded random weights)', resnet));
    const torch = resnet.pytorch ?? {};
    if (torch.skipped) lines.push(`  PyTorch: skipped (${String(torch.skipped)})`);
    else {
      lines.push(
        `  PyTorch ${String(torch.torch)} forward              ${ms(torch.forward_ms as number)}   ${x(torch.forward_vs_ort_forward as number)} the plain onnxruntime forward`,
        `  PyTorch autograd Grad-CAM           ${ms(torch.gradcam_ms as number)}   ${x(resnet.ratios.pytorch_vs_scanlens)} ScanLens' classify + Grad-CAM + PNG (same top class: ${String(torch.same_top_class)})`,
      );
    }
    const scoreCam = (resnet as { scorecam?: ScoreCamStage }).scorecam;
    if (scoreCam) lines.push(scoreCamLine(scoreCam));
    const probe = (resnet as { probe?: ProbeStage }).probe;
    if (probe) lines.push(probeLine(probe));
    const cold = (resnet as { cold_process_ms?: { classify: number; explain: number } }).cold_process_ms;
    if (cold) lines.push(`  cold processes: scanlens classify ${ms(cold.classify)}, scanlens explain --out ${ms(cold.explain)}   ${x(resnet.ratios.cold_explain_vs_cold_classify)}`);
    lines.push('');
    if (resnet.folder) lines.push(...folderLines('ResNet-18 224²', resnet.folder, resnet.ratios, r.settings.threads));
  }
  lines.push(...vitB16Lines(r.vit_b16), '');
  lines.push(...volume3dLines(r.volume3d), '');
  lines.push(`memory — ${r.soak.images}-image batch: RSS growth after warm-up ${r.rss_growth_mb.toFixed(1)} MB, peak ${r.soak.rss_mb.peak.toFixed(0)} MB`, '');
  lines.push(`targets (measured on the ${r.ratios_model === 'resnet18' ? 'ResNet-18' : 'demo model'}):`);
  for (const t of Object.values(r.targets)) lines.push(`  ${t.met === undefined ? 'not measured' : t.met ? 'met    ' : 'NOT met'}  ${shown(t)}  ${t.target}`);
  return lines.join('\n') + '\n';
}
