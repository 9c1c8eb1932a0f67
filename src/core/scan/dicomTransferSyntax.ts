/** How a transfer syntax's pixel data is stored, which says which decoder reads it. */
export type TransferEncoding = 'native' | 'rle' | 'jpeg' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg2000' | 'unsupported';

/** Transfer syntaxes by UID, with how ScanLens reads their pixel data. */
export interface TransferSyntax {
  readonly uid: string;
  readonly name: string;
  readonly encoding: TransferEncoding;
  readonly littleEndian: boolean;
}

const KNOWN: Record<string, Omit<TransferSyntax, 'uid'>> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', encoding: 'native', littleEndian: true },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian', encoding: 'native', littleEndian: true },
  '1.2.840.10008.1.2.1.99': { name: 'Deflated Explicit VR Little Endian', encoding: 'native', littleEndian: true },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian', encoding: 'native', littleEndian: false },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', encoding: 'rle', littleEndian: true },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', encoding: 'jpeg', littleEndian: true },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 & 4)', encoding: 'jpeg', littleEndian: true },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless, Non-Hierarchical (Process 14)', encoding: 'jpeg-lossless', littleEndian: true },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless, First-Order Prediction (Process 14 SV1)', encoding: 'jpeg-lossless', littleEndian: true },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless', encoding: 'jpeg-ls', littleEndian: true },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless', encoding: 'jpeg-ls', littleEndian: true },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 Lossless', encoding: 'jpeg2000', littleEndian: true },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', encoding: 'jpeg2000', littleEndian: true },
  '1.2.840.10008.1.2.4.201': { name: 'High-Throughput JPEG 2000 Lossless', encoding: 'unsupported', littleEndian: true },
  '1.2.840.10008.1.2.4.203': { name: 'High-Throughput JPEG 2000', encoding: 'unsupported', littleEndian: true },
};

export function transferSyntax(uid: string | undefined): TransferSyntax {
  const key = (uid ?? '1.2.840.10008.1.2').replace(/\0/g, '').trim();
  const known = KNOWN[key];
  if (known) return { uid: key, ...known };
  // A corrupted length can make the UID swallow the following elements (patient
  // data among them), so only a well-formed UID is ever echoed back.
  const name = /^[0-9.]{1,64}$/.test(key) ? `unknown transfer syntax ${key}` : `a malformed transfer syntax UID (${key.length} bytes)`;
  return { uid: /^[0-9.]{1,64}$/.test(key) ? key : 'malformed', name, encoding: 'unsupported', littleEndian: true };
}
