/**
 * Reader for the IDX format of the MNIST files (LeCun et al.): a 4-byte magic
 * number `0x00 0x00 <dtype> <ndims>`, then `ndims` big-endian uint32 sizes,
 * then the data in row-major order. Only dtype 0x08 (unsigned byte), the one
 * MNIST uses, is supported. A gzip-compressed file (the `.gz` the datasets
 * are distributed as) is recognised by its magic bytes and inflated first.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface IdxFile {
  dims: number[];
  /** A view on the file's bytes (no copy). */
  data: Uint8Array;
}

const DTYPES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** Parses an IDX buffer; `source` names the file in error messages. */
export function parseIdx(bytes: Uint8Array, source: string): IdxFile {
  if (bytes.length < 4) throw new Error(`${source}: truncated IDX file (${bytes.length} bytes, header needs 4)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`${source}: not an IDX file (magic number must start with two zero bytes)`);
  const dtype = bytes[2];
  const ndims = bytes[3];
  if (dtype !== 0x08) {
    const name = DTYPES[dtype] ?? 'unknown';
    throw new Error(`${source}: unsupported IDX dtype 0x${dtype.toString(16).padStart(2, '0')} (${name}); only 0x08 (unsigned byte) is supported`);
  }
  const headerSize = 4 + 4 * ndims;
  if (bytes.length < headerSize) throw new Error(`${source}: truncated IDX file (${bytes.length} bytes, header of ${ndims} dims needs ${headerSize})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let size = 1;
  for (let k = 0; k < ndims; k++) {
    const d = view.getUint32(4 + 4 * k, false);
    dims.push(d);
    size *= d;
  }
  if (bytes.length < headerSize + size) {
    throw new Error(`${source}: truncated IDX file (dims [${dims.join(', ')}] need ${headerSize + size} bytes, file has ${bytes.length})`);
  }
  return { dims, data: bytes.subarray(headerSize, headerSize + size) };
}

/** Whether `bytes` start with gzip's magic number 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function readIdx(path: string): IdxFile {
  const bytes = readFileSync(path);
  if (!isGzip(bytes)) return parseIdx(bytes, path);
  let inflated: Uint8Array;
  try {
    inflated = gunzipSync(bytes);
  } catch (err) {
    throw new Error(`${path}: corrupt gzip data (${(err as Error).message})`);
  }
  return parseIdx(inflated, path);
}
