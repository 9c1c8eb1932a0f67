import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ScanLensError, oneLine } from '../errors';
import { sessionOptions } from '../model/sessionOptions';
import { ort } from '../native/ort';
import { deriveTrainingModel } from './deriveTrainingModel';
import { LABEL_INPUT, LOGITS_OUTPUT, LOSS_OUTPUT, SAMPLE_WEIGHT_INPUT, parameterGradientOutput } from './trainingGraph';

export interface TrainedParameter {
  readonly name: string;
  readonly dims: readonly number[];
}

export interface StepResult {
  /** Σᵢ wᵢ·CEᵢ over the batch. */
  readonly loss: number;
  /** [batch × classes], row-major. */
  readonly logits: Float32Array;
  /** d loss / d parameter, in the parameters' order. */
  readonly gradients: readonly Float32Array[];
}

export interface TrainingSessionRequest {
  readonly bytes: Uint8Array;
  readonly file: string;
  readonly inputName: string;
  /** The image input's dims, batch first: the batch every run takes. */
  readonly inputDims: readonly number[];
  readonly logits: string;
  readonly parameters: readonly TrainedParameter[];
  readonly threads: number;
}

/**
 * One fixed-batch training step of a model (deriveTrainingModel.ts) in
 * onnxruntime: feed images, labels, sample weights and the current
 * parameters; get the loss, logits and gradients. A short batch is padded
 * by the caller with samples of weight 0.
 */
export class TrainingSession {
  private constructor(
    private readonly session: InferenceSession,
    private readonly request: TrainingSessionRequest,
  ) {}

  get batch(): number {
    return this.request.inputDims[0]!;
  }

  static async create(request: TrainingSessionRequest): Promise<TrainingSession> {
    const input = new (ort().Tensor)('float32', new Float32Array(request.inputDims.reduce((a, b) => a * b, 1)), [...request.inputDims]);
    const bytes = await deriveTrainingModel(request.bytes, { parameters: request.parameters.map((p) => p.name), logits: request.logits, inputName: request.inputName, input, file: request.file });
    try {
      return new TrainingSession(await ort().InferenceSession.create(bytes, sessionOptions('cpu', request.threads)), request);
    } catch (error) {
      throw new ScanLensError(`could not build the training model (${oneLine(error)})`, request.file);
    }
  }

  async run(images: Float32Array, labels: ArrayLike<number>, weights: ArrayLike<number>, parameters: readonly Float32Array[]): Promise<StepResult> {
    const T = ort().Tensor;
    const feeds: Record<string, Tensor> = {
      [this.request.inputName]: new T('float32', images, [...this.request.inputDims]),
      [LABEL_INPUT]: new T('int64', BigInt64Array.from(Array.from(labels, (l) => BigInt(l))), [this.batch]),
      [SAMPLE_WEIGHT_INPUT]: new T('float32', Float32Array.from(weights), [this.batch]),
    };
    this.request.parameters.forEach((p, i) => {
      feeds[p.name] = new T('float32', parameters[i]!, [...p.dims]);
    });
    const out = await this.session.run(feeds);
    return {
      loss: (out[LOSS_OUTPUT]!.data as Float32Array)[0]!,
      logits: out[LOGITS_OUTPUT]!.data as Float32Array,
      gradients: this.request.parameters.map((_, i) => out[parameterGradientOutput(i)]!.data as Float32Array),
    };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
