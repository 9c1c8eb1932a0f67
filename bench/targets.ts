/** The performance targets (issue 9's, and issue 15's cold explain), each with the measured value and whether this run met it. */
export interface Target {
  readonly target: string;
  readonly value: number | undefined;
  readonly met: boolean | undefined;
}

/** `scoreCamMs`: one Score-CAM call on the ResNet-18, when measured. */
export function targets(ratios: Record<string, number | undefined>, soak: { images: number; rss_growth_mb: number } | undefined, scoreCamMs?: number): Record<string, Target> {
  const check = (target: string, value: number | undefined, ok: (v: number) => boolean): Target => ({ target, value, met: value === undefined ? undefined : ok(value) });
  return {
    folder_throughput: check('≥ 90% of plain batched onnxruntime on ready tensors', ratios.batch_throughput_vs_ort, (v) => v >= 0.9),
    explain_end_to_end: check('classify + Grad-CAM + overlay PNG ≤ 1.25× the onnxruntime forward+backward', ratios.explain_end_to_end_vs_ort_forward_backward, (v) => v <= 1.25),
    pytorch: check('≥ 2× faster than PyTorch autograd Grad-CAM', ratios.pytorch_vs_scanlens, (v) => v >= 2),
    cold_explain: check('a second cold `scanlens explain --out` ≤ 1.15× a cold `scanlens classify` (whole processes, one image)', ratios.cold_explain_vs_cold_classify, (v) => v <= 1.15),
    rss_growth: check(`RSS growth < 50 MB over a 5,000-image batch (this run: ${soak?.images ?? 0} images)`, soak?.rss_growth_mb, (v) => v < 50),
    vit_b16_gradcam: check('ViT-B/16 Grad-CAM ≤ 1.3× the onnxruntime forward+backward', ratios.vit_b16_explain_vs_ort_forward_backward, (v) => v <= 1.3),
    volume3d_gradcam: check('96³ 3D model: classify + Grad-CAM ≤ 1.3× the onnxruntime forward+backward', ratios.volume3d_gradcam_vs_ort_forward_backward, (v) => v <= 1.3),
    probe_resnet18: check('linear probe (scanlens train) on 1,000 ResNet-18 images ≤ 1.2× extracting their embeddings alone', ratios.probe_vs_extraction, (v) => v <= 1.2),
    scorecam_resnet18: check('Score-CAM on ResNet-18 224² ≤ 5 s (2 threads)', scoreCamMs === undefined ? undefined : scoreCamMs / 1000, (v) => v <= 5),
  };
}
