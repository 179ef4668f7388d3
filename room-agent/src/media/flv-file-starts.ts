/** 'F', the first byte of an FLV file's header; a tag starts with its type (8, 9 or 18) */
const FILE_SIGNATURE = 0x46;
const FILE_HEADER_BYTES = 9;
const TAG_HEADER_BYTES = 11;
/** the PreviousTagSize field after the file header and after each tag */
const PREVIOUS_SIZE_BYTES = 4;

/**
 * Finds where a new FLV file begins in a pipe that carries FLV files one after another: the sound's
 * pipe, into which boxroom-capture starts a new encoder each time the sound wakes (the agent puts it
 * to sleep when nobody watches, desktop/sound-sleep.ts). A file's header can only start where a tag
 * would, and its first byte ('F') is no tag type, so walking the tags' sizes is enough: only the
 * headers are looked at (11 bytes a tag), bodies are stepped over whatever the chunking.
 *
 * Bytes that are not FLV are not judged here: the parser that reads the same bytes reports them.
 */
export class FlvFileStarts {
  /** bytes of the current tag or file header still to step over */
  private skip = 0;
  /** a header's bytes gathered so far, when it is split across chunks */
  private readonly head: number[] = [];
  private files = 0;
  /** the file starting at the current boundary has been reported (the next call steps into it) */
  private reported = false;

  /**
   * Steps through `chunk` from `from`. @returns the offset at which a file after the first begins
   * (nothing of it consumed: call again from there to go on), or -1 once the whole chunk is passed.
   */
  next(chunk: Buffer, from = 0): number {
    let i = from;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const byte = chunk[i]!;
      if (this.head.length === 0 && byte === FILE_SIGNATURE && this.files > 0 && !this.reported) {
        this.reported = true;
        return i;
      }
      this.head.push(byte);
      i++;
      const isFile = this.head[0] === FILE_SIGNATURE;
      if (this.head.length < (isFile ? FILE_HEADER_BYTES : TAG_HEADER_BYTES)) continue;
      const h = this.head;
      if (isFile) {
        // DataOffset (bytes 5-8): the header's own size, 9 in every FLV file there is
        const dataOffset = ((h[5]! << 24) | (h[6]! << 16) | (h[7]! << 8) | h[8]!) >>> 0;
        this.skip = Math.max(0, dataOffset - FILE_HEADER_BYTES) + PREVIOUS_SIZE_BYTES;
        this.files++;
        this.reported = false;
      } else {
        this.skip = ((h[1]! << 16) | (h[2]! << 8) | h[3]!) + PREVIOUS_SIZE_BYTES;
      }
      h.length = 0;
    }
    return -1;
  }
}
