import type { Image2D } from '../image';
import type { Stage, StageName } from '../model/manifest';
import { clahe, CLAHE_DEFAULTS } from './clahe';
import { denoise, DENOISE_DEFAULTS } from './denoise';
import { edges, EDGES_DEFAULTS } from './edges';
import { normalize, NORMALIZE_DEFAULTS } from './normalize';
import { sharpen, SHARPEN_DEFAULTS } from './sharpen';
import { skullStrip, SKULLSTRIP_DEFAULTS } from './skullStrip';

/**
 * The named MRI stages a manifest (or the CLI) can ask for, with their
 * defaults and one-line descriptions for help text.
 */

export interface StageDescription {
  readonly name: StageName;
  readonly description: string;
  readonly defaults: Record<string, number>;
}

export interface StageResult {
  readonly name: StageName;
  /** Every parameter the stage ran with, defaults filled in. */
  readonly params: Record<string, number>;
  readonly image: Image2D;
}

interface StageDefinition {
  readonly description: string;
  readonly defaults: Readonly<Record<string, number>>;
  readonly run: (image: Image2D, params: Record<string, number>) => Image2D;
}

const STAGES: Readonly<Record<StageName, StageDefinition>> = {
  denoise: {
    description: 'edge-preserving bilateral filter: smooths noise within tissue, keeps boundaries',
    defaults: DENOISE_DEFAULTS,
    run: denoise,
  },
  clahe: {
    description: 'contrast-limited adaptive histogram equalisation (OpenCV semantics, 256 bins)',
    defaults: CLAHE_DEFAULTS,
    run: clahe,
  },
  sharpen: {
    description: 'unsharp mask: adds back amount × (image − Gaussian blur), clamped to [0,1]',
    defaults: SHARPEN_DEFAULTS,
    run: sharpen,
  },
  edges: {
    description: 'edge enhancement: adds amount × Sobel gradient magnitude, clamped to [0,1]',
    defaults: EDGES_DEFAULTS,
    run: edges,
  },
  normalize: {
    description: 'maps the low/high percentiles to 0/1, clipping beyond them',
    defaults: NORMALIZE_DEFAULTS,
    run: normalize,
  },
  skullstrip: {
    description: 'zeroes everything outside the brain: Otsu, opening, largest component, closing, hole filling',
    defaults: SKULLSTRIP_DEFAULTS,
    run: skullStrip,
  },
};

function definitionOf(name: StageName): StageDefinition {
  // Guards callers that bypass the manifest schema (plain JS, hand-built stage lists).
  if (!Object.hasOwn(STAGES, name)) {
    throw new Error(`unknown preprocessing stage "${String(name)}"; stages are ${Object.keys(STAGES).join(', ')}`);
  }
  return STAGES[name];
}

export function describeStage(name: StageName): StageDescription {
  const { description, defaults } = definitionOf(name);
  return { name, description, defaults: { ...defaults } };
}

/** The stage's name and its full parameter set; an unknown parameter is an error, not ignored. */
function resolve(stage: Stage): { name: StageName; params: Record<string, number> } {
  const name = typeof stage === 'string' ? stage : stage.stage;
  const given = typeof stage === 'string' ? {} : (stage.params ?? {});
  const { defaults } = definitionOf(name);
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(defaults, key)) {
      const known = Object.keys(defaults).join(', ');
      throw new Error(`${name}: unknown parameter "${key}" (parameters are ${known})`);
    }
  }
  return { name, params: { ...defaults, ...given } };
}

export function runStage(image: Image2D, stage: Stage): Image2D {
  const { name, params } = resolve(stage);
  return definitionOf(name).run(image, params);
}

/** Runs the stages in order, each on the previous one's output, and returns every intermediate. */
export function runStages(image: Image2D, stages: readonly Stage[]): StageResult[] {
  const results: StageResult[] = [];
  let current = image;
  for (const stage of stages) {
    const { name, params } = resolve(stage);
    current = definitionOf(name).run(current, params);
    results.push({ name, params, image: current });
  }
  return results;
}
