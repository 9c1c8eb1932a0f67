/**
 * The cornerstone WASM codecs (libjpeg-turbo 8-bit, CharLS, OpenJPEG), loaded
 * on first use from node_modules: their Node builds read the .wasm file from
 * their own folder, so they are never bundled.
 */

interface FrameInfo {
  readonly width: number;
  readonly height: number;
  readonly bitsPerSample: number;
  readonly componentCount: number;
  readonly isSigned?: boolean;
}

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
  getInterleaveMode?(): number;
  delete(): void;
}

interface WasmCodecModule {
  readonly JPEGDecoder?: new () => WasmDecoder;
  readonly JpegLSDecoder?: new () => WasmDecoder;
  readonly J2KDecoder?: new () => WasmDecoder;
}

export type WasmCodecFactory = (options?: { print?: (text: string) => void; printErr?: (text: string) => void }) => Promise<WasmCodecModule>;

export type WasmCodec = 'libjpeg-turbo' | 'charls' | 'openjpeg';

export interface DecodedFrame {
  readonly info: FrameInfo;
  /** Samples as the codec wrote them, copied out of WASM memory. */
  readonly bytes: Uint8Array;
  /** CharLS: 0 means the components came out one plane after another. */
  readonly interleaveMode?: number;
}

const modules = new Map<WasmCodec, Promise<WasmCodecModule>>();

function factoryOf(codec: WasmCodec): Promise<{ default: WasmCodecFactory }> {
  if (codec === 'libjpeg-turbo') return import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs');
  if (codec === 'charls') return import('@cornerstonejs/codec-charls/decodewasmjs');
  return import('@cornerstonejs/codec-openjpeg/decodewasmjs');
}

function load(codec: WasmCodec): Promise<WasmCodecModule> {
  let module = modules.get(codec);
  if (!module) {
    // OpenJPEG logs every tile to stdout; stdout belongs to the CLI's JSON.
    const quiet = { print: () => undefined, printErr: () => undefined };
    module = factoryOf(codec).then((m) => ((m as unknown as { default?: WasmCodecFactory }).default ?? (m as unknown as WasmCodecFactory))(quiet));
    modules.set(codec, module);
  }
  return module;
}

/** Emscripten throws numbers (C++ exception pointers) or strings; name the codec instead. */
function codecFailure(codec: WasmCodec, error: unknown): Error {
  const detail = error instanceof Error ? error.message : typeof error === 'string' ? error : 'the codestream is malformed';
  return new Error(`${codec} could not decode the frame (${detail})`);
}

export async function decodeWithWasm(codec: WasmCodec, encoded: Uint8Array): Promise<DecodedFrame> {
  const module = await load(codec);
  const Decoder = codec === 'libjpeg-turbo' ? module.JPEGDecoder : codec === 'charls' ? module.JpegLSDecoder : module.J2KDecoder;
  if (!Decoder) throw new Error(`${codec} has no decoder in this build`);
  const decoder = new Decoder();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = { ...decoder.getFrameInfo() };
    const interleaveMode = decoder.getInterleaveMode?.();
    return { info, bytes: decoder.getDecodedBuffer().slice(), ...(interleaveMode !== undefined ? { interleaveMode } : {}) };
  } catch (error) {
    throw codecFailure(codec, error);
  } finally {
    decoder.delete();
  }
}
