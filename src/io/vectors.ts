/**
 * Vectors in files, chosen by extension: `.npy` (see npy.ts) or `.json`.
 *
 * JSON holds an array of n arrays of d numbers (n vectors), or one array of d
 * numbers (one vector, as a 1-D .npy). JSON cannot express non-finite numbers,
 * so byzsim writes them as the strings "NaN", "Infinity" and "-Infinity" and
 * reads those strings back; it also reads the bare tokens NaN, Infinity and
 * -Infinity that Python's `json.dump` writes by default. `null` is refused
 * rather than guessed at: JavaScript's JSON.stringify writes it for any
 * non-finite number, so it cannot be mapped back to one.
 *
 * Precision: vectors are float32, as everywhere in byzsim. JSON numbers are
 * rounded to the nearest float32 when read, and written as the shortest decimal
 * that reads back as the same float32 (0.1, not 0.10000000149011612).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { NpyError, decodeNpy, encodeNpy } from './npy.ts';
import { UserError } from '../errors.ts';

/** A missing, unreadable or malformed vectors file; the message names the file. */
export class VectorsError extends UserError {
  override name = 'VectorsError';
}

function formatOf(file: string, verb: 'read' | 'write'): '.json' | '.npy' {
  const ext = extname(file).toLowerCase();
  if (ext === '.json' || ext === '.npy') return ext;
  throw new VectorsError(`${file}: cannot ${verb} vectors in '${ext || 'a file without extension'}' (use .npy or .json)`);
}

function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot read (${code ?? String(err)})`;
    throw new VectorsError(`${file}: ${what}`);
  }
}

/** Reads n vectors of a common dimension from a .npy or .json file. */
export function readVectors(file: string): Float32Array[] {
  const format = formatOf(file, 'read');
  const bytes = readBytes(file);
  if (format === '.npy') {
    try {
      return decodeNpy(bytes, file).rows;
    } catch (err) {
      if (err instanceof NpyError) throw new VectorsError(err.message);
      throw err;
    }
  }
  return parseVectorsJson(bytes.toString('utf8'), file);
}

/** Parses the JSON vectors format (see the header); `file` is only used in messages. */
export function parseVectorsJson(text: string, file: string): Float32Array[] {
  let data: unknown;
  try {
    data = JSON.parse(quotePythonNonFinite(text));
  } catch (err) {
    throw new VectorsError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) {
    throw new VectorsError(`${file}: expected an array of vectors (arrays of numbers), got ${describe(data)}`);
  }
  if (data.length > 0 && !data.some(Array.isArray)) return [toVector(data, file, '')];
  const d = Array.isArray(data[0]) ? data[0].length : 0;
  return data.map((row, i) => {
    if (!Array.isArray(row)) throw new VectorsError(`${file}: row ${i}: expected an array of numbers, got ${describe(row)}`);
    if (row.length !== d) throw new VectorsError(`${file}: row ${i} has ${row.length} numbers, row 0 has ${d} (every vector needs the same dimension)`);
    return toVector(row, file, `row ${i}, `);
  });
}

function toVector(values: unknown[], file: string, where: string): Float32Array {
  const out = new Float32Array(values.length);
  for (let j = 0; j < values.length; j++) {
    const x = values[j];
    if (typeof x === 'number') out[j] = x;
    else if (x === 'NaN') out[j] = NaN;
    else if (x === 'Infinity' || x === '+Infinity') out[j] = Infinity;
    else if (x === '-Infinity') out[j] = -Infinity;
    else {
      const hint = x === null ? ' (write "NaN", "Infinity" or "-Infinity" for non-finite values)' : '';
      throw new VectorsError(`${file}: ${where}column ${j}: expected a number, got ${describe(x)}${hint}`);
    }
  }
  return out;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}…` : x);
  if (typeof x === 'object') return 'an object';
  return String(x);
}

/** Quotes the bare NaN / Infinity / -Infinity tokens Python's json module writes. */
function quotePythonNonFinite(text: string): string {
  if (!/NaN|Infinity/.test(text)) return text;
  let out = '';
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      continue;
    }
    const token = /^(?:-?Infinity|NaN)/.exec(text.slice(i, i + 9))?.[0];
    if (token) {
      out += `${text.slice(start, i)}"${token}"`;
      i += token.length - 1;
      start = i + 1;
    }
  }
  return out + text.slice(start);
}

/** The shortest decimal that reads back as the same float32, or "NaN" / "Infinity" / "-Infinity". */
export function float32Json(x: number): number | string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  const f = Math.fround(x);
  for (let p = 1; p < 9; p++) {
    const y = Number(f.toPrecision(p));
    if (Math.fround(y) === f) return y;
  }
  return f;
}

/** A vector as JSON-ready values (see float32Json). */
export function vectorJson(v: ArrayLike<number>): (number | string)[] {
  return Array.from(v, float32Json);
}

/**
 * Writes one vector (as a 1-D array) or n vectors (as a 2-D array) to a .npy
 * (float32, `<f4`) or .json file, chosen by extension.
 */
export function writeVectors(file: string, vectors: Float32Array | readonly Float32Array[]): void {
  const format = formatOf(file, 'write');
  let bytes: Uint8Array | string;
  if (format === '.npy') {
    bytes = encodeNpy(vectors, '<f4');
  } else {
    const rows = vectors instanceof Float32Array ? null : vectors;
    bytes = rows ? `[\n${rows.map((r) => `  ${JSON.stringify(vectorJson(r))}`).join(',\n')}\n]\n` : `${JSON.stringify(vectorJson(vectors as Float32Array))}\n`;
  }
  try {
    writeFileSync(file, bytes);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'its directory does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot write (${code ?? String(err)})`;
    throw new VectorsError(`${file}: ${what}`);
  }
}
