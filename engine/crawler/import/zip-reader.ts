import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  encrypted: boolean;
}

/** The first bytes of a zip file (a local file header). */
export function isZipHead(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** the central directory of a history export lists tens of files; this bounds a hostile one */
const MAX_CENTRAL_DIRECTORY = 64 << 20;

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.alloc(len);
  const { bytesRead } = await fh.read(b, 0, len, pos);
  if (bytesRead !== len) throw new Error('zip file is truncated');
  return b;
}

/**
 * A zip archive read through its central directory (APPNOTE.TXT 4.3): the
 * entry list comes from the end of the file, each entry is streamed from its
 * offset and inflated on the fly, so memory stays bounded by the stream
 * buffers whatever the archive's size. Zip64 sizes and offsets are read;
 * encrypted entries and methods other than stored/deflate are refused.
 */
export class ZipReader {
  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly entries: ZipEntry[],
    readonly size: number,
  ) {}

  static async open(path: string): Promise<ZipReader> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const tailLen = Math.min(size, 22 + 0xffff);
      const tail = await readAt(fh, size - tailLen, tailLen);
      let at = -1;
      for (let i = tailLen - 22; i >= 0; i--) {
        if (tail.readUInt32LE(i) === EOCD) {
          at = i;
          break;
        }
      }
      if (at < 0) throw new Error('not a zip file, or a truncated one: no end of central directory');
      let count = tail.readUInt16LE(at + 10);
      let cdSize = tail.readUInt32LE(at + 12);
      let cdOffset = tail.readUInt32LE(at + 16);
      if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
        const locPos = size - tailLen + at - 20;
        const loc = await readAt(fh, locPos, 20);
        if (loc.readUInt32LE(0) !== EOCD64_LOCATOR) throw new Error('zip64 archive without its locator');
        const e64 = await readAt(fh, Number(loc.readBigUInt64LE(8)), 56);
        if (e64.readUInt32LE(0) !== EOCD64) throw new Error('zip64 end of central directory not found');
        count = Number(e64.readBigUInt64LE(32));
        cdSize = Number(e64.readBigUInt64LE(40));
        cdOffset = Number(e64.readBigUInt64LE(48));
      }
      if (cdSize > MAX_CENTRAL_DIRECTORY || cdOffset + cdSize > size) throw new Error('zip central directory is out of bounds');
      const cd = await readAt(fh, cdOffset, cdSize);
      const entries: ZipEntry[] = [];
      let p = 0;
      for (let i = 0; i < count; i++) {
        if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw new Error('zip central directory is damaged');
        const flags = cd.readUInt16LE(p + 8);
        const method = cd.readUInt16LE(p + 10);
        let compressedSize = cd.readUInt32LE(p + 20);
        let uncompressed = cd.readUInt32LE(p + 24);
        const nameLen = cd.readUInt16LE(p + 28);
        const extraLen = cd.readUInt16LE(p + 30);
        const commentLen = cd.readUInt16LE(p + 32);
        let offset = cd.readUInt32LE(p + 42);
        const name = cd.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
        // zip64 extended information: the 0xffffffff fields, in this order
        let x = p + 46 + nameLen;
        const xEnd = x + extraLen;
        while (x + 4 <= xEnd) {
          const id = cd.readUInt16LE(x);
          const len = cd.readUInt16LE(x + 2);
          if (id === 0x0001) {
            let q = x + 4;
            if (uncompressed === 0xffffffff) {
              uncompressed = Number(cd.readBigUInt64LE(q));
              q += 8;
            }
            if (compressedSize === 0xffffffff) {
              compressedSize = Number(cd.readBigUInt64LE(q));
              q += 8;
            }
            if (offset === 0xffffffff) offset = Number(cd.readBigUInt64LE(q));
          }
          x += 4 + len;
        }
        entries.push({ name, method, compressedSize, size: uncompressed, localHeaderOffset: offset, encrypted: (flags & 1) === 1 });
        p += 46 + nameLen + extraLen + commentLen;
      }
      return new ZipReader(path, fh, entries, size);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** The entry's uncompressed bytes as a stream; `onRead` sees each compressed chunk's size (progress). */
  async openEntry(e: ZipEntry, onRead?: (n: number) => void): Promise<Readable> {
    if (e.encrypted) throw new Error(`zip entry ${e.name} is encrypted`);
    if (e.method !== 0 && e.method !== 8) throw new Error(`zip entry ${e.name} uses compression method ${e.method} (only stored and deflate are read)`);
    const h = await readAt(this.fh, e.localHeaderOffset, 30);
    if (h.readUInt32LE(0) !== LOCAL) throw new Error(`zip entry ${e.name}: no local header at its offset`);
    const dataAt = e.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
    if (e.compressedSize === 0) return Readable.from([]);
    const raw = createReadStream(this.path, { start: dataAt, end: dataAt + e.compressedSize - 1, highWaterMark: 256 * 1024 });
    if (onRead) raw.on('data', (c: Buffer | string) => onRead(c.length));
    if (e.method === 0) return raw;
    // 256 KiB out per step: zlib's default 16 KiB makes each step's stream and thread-pool round trip cost more than the inflating
    const inflate = createInflateRaw({ chunkSize: 256 * 1024 });
    raw.on('error', (err) => inflate.destroy(err));
    return raw.pipe(inflate);
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}
