/**
 * NumPy `.npy` files: the format `np.save` writes and `np.load` reads
 * (numpy/lib/format.py, format versions 1.0, 2.0 and 3.0).
 *
 *   magic `\x93NUMPY` · major · minor · header length (uint16 LE in 1.0,
 *   uint32 LE in 2.0/3.0) · header · data
 *
 * The header is a Python dict literal, `{'descr': '<f4', 'fortran_order': False,
 * 'shape': (n, d), }`, padded with spaces and ended by '\n'.
 *
 * byzsim reads float32 and float64 arrays of either byte order, 1-D (one
 * vector) or 2-D (n vectors of dimension d), in C or Fortran order, and returns
 * them as Float32Array rows. Precision: float64 data is rounded to the nearest
 * float32, as the simulator and the rules compute on float32 storage; values
 * beyond the float32 range become ±Infinity.
 *
 * It writes `<f4` or `<f8` 1-D/2-D arrays in format 1.0 with exactly the header
 * NumPy writes (including its spare space for growing the first axis), so a
 * file written here is byte-identical to `np.save` of the same array.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { UserError } from '../errors.ts';

/** A malformed or unsupported .npy file; the message names the file. */
export class NpyError extends UserError {
  override name = 'NpyError';
}

export type NpyDtype = '<f4' | '<f8';

export interface NpyArray {
  /** The rows: one per vector (a 1-D array is one row). */
  rows: Float32Array[];
  /** The shape as stored: [d] or [n, d]. */
  shape: number[];
  /** The stored dtype, e.g. `<f8`. */
  descr: string;
  fortranOrder: boolean;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
/** NumPy leaves room for the growing axis to reach this many digits. */
const GROWTH_AXIS_MAX_DIGITS = 21;
const SUPPORTED = "float32 ('<f4', '>f4') and float64 ('<f8', '>f8')";

/** Decodes .npy bytes; `file` is only used in messages. */
export function decodeNpy(bytes: Uint8Array, file: string): NpyArray {
  const fail = (what: string): never => {
    throw new NpyError(`${file}: ${what}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail('not an .npy file (it does not start with \\x93NUMPY)');
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) fail(`unsupported .npy format version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) fail(`truncated header: expected at least ${prefix} bytes, got ${bytes.length}`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = prefix + headerLength;
  if (bytes.length < dataOffset) fail(`truncated header: expected ${dataOffset} bytes, got ${bytes.length}`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(prefix, dataOffset));

  let dict: unknown;
  try {
    dict = parsePythonLiteral(header);
  } catch (err) {
    return fail(`malformed header ${JSON.stringify(header.trim())}: ${(err as Error).message}`);
  }
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) return fail(`malformed header: not a dict`);
  const h = dict as Record<string, unknown>;
  for (const key of ['descr', 'fortran_order', 'shape']) if (!(key in h)) fail(`malformed header: no '${key}' key`);
  const { descr, fortran_order: fortranOrder, shape } = h;

  if (typeof descr !== 'string') return fail(`unsupported dtype (a structured dtype); byzsim reads ${SUPPORTED}`);
  const dtype = /^([<>])f([48])$/.exec(descr);
  if (!dtype) {
    const hint = /^[<>|=]?[iub]/.test(descr) ? `; convert with arr.astype(np.float32)` : '';
    return fail(`unsupported dtype '${descr}': byzsim reads ${SUPPORTED}${hint}`);
  }
  if (typeof fortranOrder !== 'boolean') return fail(`malformed header: 'fortran_order' must be True or False`);
  if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && (s as number) >= 0)) {
    return fail(`malformed header: 'shape' must be a tuple of non-negative integers`);
  }
  const dims = shape as number[];
  if (dims.length !== 1 && dims.length !== 2) {
    fail(`expected a 2-D array (n vectors × d) or a 1-D array (one vector), got shape ${pythonShape(dims)}`);
  }

  const littleEndian = dtype[1] === '<';
  const itemSize = Number(dtype[2]);
  const [n, d] = dims.length === 1 ? [1, dims[0]] : dims;
  const count = n * d;
  const expected = count * itemSize;
  const got = bytes.length - dataOffset;
  if (got < expected) fail(`truncated data: expected ${expected} bytes for shape ${pythonShape(dims)} ${descr}, got ${got}`);
  if (got > expected) fail(`${got - expected} unexpected bytes after the data of shape ${pythonShape(dims)} (several arrays saved into one file?)`);

  const flat = new Float32Array(count);
  const read = itemSize === 4 ? view.getFloat32.bind(view) : view.getFloat64.bind(view);
  for (let k = 0; k < count; k++) {
    // In Fortran order element (i, j) of an n × d array is stored at j·n + i.
    const target = fortranOrder ? (k % n) * d + Math.floor(k / n) : k;
    flat[target] = read(dataOffset + k * itemSize, littleEndian);
  }
  const rows = Array.from({ length: n }, (_, i) => flat.subarray(i * d, (i + 1) * d));
  return { rows, shape: dims.slice(), descr, fortranOrder };
}

/** Reads a .npy file (see decodeNpy). */
export function readNpy(file: string): NpyArray {
  return decodeNpy(readFileSync(file), file);
}

/**
 * Encodes one vector (a 1-D array of shape [d]) or n vectors of a common
 * dimension (a 2-D array [n, d]) as .npy bytes, C order, format 1.0.
 */
export function encodeNpy(data: Float32Array | Float64Array | readonly (Float32Array | Float64Array)[], dtype: NpyDtype = '<f4'): Uint8Array {
  const rows = isVector(data) ? [data] : data;
  const d = rows.length > 0 ? rows[0].length : 0;
  rows.forEach((row, i) => {
    if (row.length !== d) throw new RangeError(`encodeNpy: row ${i} has dimension ${row.length}, row 0 has ${d}`);
  });
  const shape = isVector(data) ? [d] : [rows.length, d];

  let dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${pythonShape(shape)}, }`;
  dict += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  const headerLength = dict.length + 1 + ((ARRAY_ALIGN - (unpadded % ARRAY_ALIGN)) % ARRAY_ALIGN);
  if (headerLength > 0xffff) throw new RangeError(`encodeNpy: header of ${headerLength} bytes does not fit format 1.0`);
  const header = dict.padEnd(headerLength - 1, ' ') + '\n';

  const itemSize = dtype === '<f4' ? 4 : 8;
  const dataOffset = 10 + headerLength;
  const bytes = new Uint8Array(dataOffset + rows.length * d * itemSize);
  bytes.set(MAGIC, 0);
  bytes[6] = 1;
  bytes[7] = 0;
  const view = new DataView(bytes.buffer);
  view.setUint16(8, headerLength, true);
  for (let i = 0; i < headerLength; i++) bytes[10 + i] = header.charCodeAt(i);
  let offset = dataOffset;
  for (const row of rows) {
    for (let j = 0; j < d; j++, offset += itemSize) {
      if (itemSize === 4) view.setFloat32(offset, row[j], true);
      else view.setFloat64(offset, row[j], true);
    }
  }
  return bytes;
}

/** Writes a .npy file (see encodeNpy). */
export function writeNpy(
  file: string,
  data: Float32Array | Float64Array | readonly (Float32Array | Float64Array)[],
  dtype: NpyDtype = '<f4',
): void {
  writeFileSync(file, encodeNpy(data, dtype));
}

function isVector(data: Float32Array | Float64Array | readonly (Float32Array | Float64Array)[]): data is Float32Array | Float64Array {
  return data instanceof Float32Array || data instanceof Float64Array;
}

/** Python's repr of a shape tuple: `(3,)`, `(3, 4)`. */
function pythonShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * Parses the Python literals an .npy header may hold: dicts, tuples, lists,
 * strings, integers (with Python 2's `L` suffix), True, False and None.
 */
function parsePythonLiteral(text: string): unknown {
  let pos = 0;
  const space = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const expect = (c: string) => {
    space();
    if (text[pos] !== c) throw new Error(`expected '${c}' at column ${pos + 1}`);
    pos++;
  };
  // Items up to `close`, allowing a trailing comma as Python does.
  const sequence = <T>(close: string, item: () => T): T[] => {
    const items: T[] = [];
    for (;;) {
      space();
      if (text[pos] === close) {
        pos++;
        return items;
      }
      items.push(item());
      space();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== close) throw new Error(`expected ',' or '${close}' at column ${pos + 1}`);
    }
  };
  const value = (): unknown => {
    space();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const entries = sequence('}', () => {
        const key = value();
        if (typeof key !== 'string') throw new Error(`dict keys must be strings`);
        expect(':');
        return [key, value()] as const;
      });
      return Object.fromEntries(entries);
    }
    if (c === '(' || c === '[') {
      pos++;
      return sequence(c === '(' ? ')' : ']', value);
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, pos + 1);
      if (end < 0) throw new Error(`unterminated string at column ${pos + 1}`);
      const s = text.slice(pos + 1, end);
      pos = end + 1;
      return s;
    }
    const word = /[A-Za-z_]+|[+-]?\d+[lL]?/y;
    word.lastIndex = pos;
    const m = word.exec(text);
    if (!m) throw new Error(`unexpected ${c === undefined ? 'end' : `'${c}'`} at column ${pos + 1}`);
    pos += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    if (/^[+-]?\d/.test(m[0])) return Number(m[0].replace(/[lL]$/, ''));
    throw new Error(`unexpected '${m[0]}' at column ${pos - m[0].length + 1}`);
  };
  const result = value();
  space();
  if (pos !== text.length) throw new Error(`unexpected '${text[pos]}' at column ${pos + 1}`);
  return result;
}
