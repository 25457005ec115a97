/**
 * A small reader of zip archives (WAR and jar files): the central directory,
 * and an entry's bytes (stored or deflated, through zlib). Written for the kit
 * so that checking and unpacking a webapp needs nothing on the host but Node.
 * Not supported (refused with ZipFormatError): zip64, encryption, methods
 * other than stored/deflate, multi-disk archives.
 */
import { inflateRawSync } from 'node:zlib';

export class ZipFormatError extends Error {}

export interface ZipEntry {
  /** Path inside the archive, `/`-separated; directories end with `/`. */
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
  readonly flags: number;
}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
/** Largest unpacked entry the kit accepts (a zip bomb would otherwise fill the build context). */
export const MAX_ENTRY_BYTES = 512 * 1024 * 1024;

/** Whether the bytes start like a zip archive (local header, or an empty archive's end record). */
export function looksLikeZip(buf: Uint8Array): boolean {
  if (buf.length < 4) return false;
  const sig = Buffer.from(buf.buffer, buf.byteOffset, 4).readUInt32LE(0);
  return sig === LOC_SIG || sig === EOCD_SIG;
}

/** The central directory's entries, in archive order. Throws ZipFormatError on anything malformed. */
export function zipEntries(buf: Buffer): ZipEntry[] {
  // The end record is the last 22 bytes, plus a comment of up to 65535 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('no end-of-central-directory record (not a zip archive, or a truncated one)');
  const disk = buf.readUInt16LE(eocd + 4);
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (disk !== 0) throw new ZipFormatError('a multi-disk archive');
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) throw new ZipFormatError('a zip64 archive (over 65535 entries or 4 GiB), which the kit does not read');
  if (cdOffset + cdSize > eocd) throw new ZipFormatError('the central directory lies outside the file (truncated?)');
  const out: ZipEntry[] = [];
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CEN_SIG) throw new ZipFormatError(`central directory entry ${n} is damaged`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localHeaderOffset = buf.readUInt32LE(p + 42);
    if (p + 46 + nameLen > buf.length) throw new ZipFormatError(`central directory entry ${n} is damaged`);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString((flags & 0x800) !== 0 ? 'utf8' : 'latin1');
    out.push({ name, method, compressedSize, size, localHeaderOffset, flags });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** The unpacked bytes of one entry. Throws ZipFormatError when they cannot be had. */
export function zipRead(buf: Buffer, e: ZipEntry): Buffer {
  if ((e.flags & 0x1) !== 0) throw new ZipFormatError(`${e.name} is encrypted`);
  if (e.size > MAX_ENTRY_BYTES) throw new ZipFormatError(`${e.name} unpacks to ${e.size} bytes (over ${MAX_ENTRY_BYTES})`);
  const p = e.localHeaderOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== LOC_SIG) throw new ZipFormatError(`${e.name}: local header is damaged`);
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + e.compressedSize);
  if (data.length !== e.compressedSize) throw new ZipFormatError(`${e.name}: data is truncated`);
  let out: Buffer;
  if (e.method === 0) out = Buffer.from(data);
  else if (e.method === 8) {
    try {
      out = inflateRawSync(data, { maxOutputLength: Math.max(e.size, 1) });
    } catch (err) {
      throw new ZipFormatError(`${e.name}: cannot inflate (${(err as Error).message})`);
    }
  } else throw new ZipFormatError(`${e.name}: compression method ${e.method} (only stored and deflate are read)`);
  if (out.length !== e.size) throw new ZipFormatError(`${e.name}: unpacked ${out.length} bytes, the directory says ${e.size}`);
  return out;
}

/** A path inside an archive that would land outside the directory it is unpacked into (`..`, absolute, drive letters). */
export function unsafeEntryName(name: string): boolean {
  if (name.startsWith('/') || name.includes('\\') || /^[A-Za-z]:/.test(name) || name.includes('\0')) return true;
  return name.split('/').some((seg) => seg === '..');
}
