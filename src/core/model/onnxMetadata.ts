/**
 * Reads ModelProto.metadata_props (field 14) from ONNX bytes by walking the
 * protobuf wire format at the top level only; the graph is skipped unread.
 * onnxruntime-node does not expose custom metadata, and a bare .onnx needs it
 * for its labels.
 */

const METADATA_PROPS = 14;

class Reader {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.bytes[this.pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new Error('varint too long');
  }

  bytesField(): Uint8Array {
    const length = this.varint();
    const end = this.pos + length;
    if (end > this.bytes.length) throw new Error('truncated field');
    const out = this.bytes.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytesField();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

function readEntry(bytes: Uint8Array): [string, string] {
  const reader = new Reader(bytes);
  const decoder = new TextDecoder();
  let key = '';
  let value = '';
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    if (field === 1 && tag % 8 === 2) key = decoder.decode(reader.bytesField());
    else if (field === 2 && tag % 8 === 2) value = decoder.decode(reader.bytesField());
    else reader.skip(tag % 8);
  }
  return [key, value];
}

/** The model's metadata_props as a plain record; throws on malformed protobuf. */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const reader = new Reader(bytes);
  const props: Record<string, string> = {};
  while (!reader.done) {
    const tag = reader.varint();
    if (Math.floor(tag / 8) === METADATA_PROPS && tag % 8 === 2) {
      const [key, value] = readEntry(reader.bytesField());
      if (key) props[key] = value;
    } else {
      reader.skip(tag % 8);
    }
  }
  return props;
}

/** Labels from metadata: a JSON array, or comma/newline separated text, under common keys. */
export function labelsFromMetadata(props: Record<string, string>): string[] | undefined {
  for (const key of ['labels', 'classes', 'class_names', 'names']) {
    const raw = props[key]?.trim();
    if (!raw) continue;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed as string[];
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        // Ultralytics-style {"0": "cat", "1": "dog"}.
        const entries = Object.entries(parsed as Record<string, unknown>).sort((a, b) => Number(a[0]) - Number(b[0]));
        if (entries.every(([, v]) => typeof v === 'string')) return entries.map(([, v]) => v as string);
      }
    } catch {
      // Not JSON: fall through to separated text.
    }
    const parts = raw
      .split(/[,\n]/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (parts.length > 0) return parts;
  }
  return undefined;
}
