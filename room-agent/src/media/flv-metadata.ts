/**
 * AMF0 string "@setDataFrame": the wrapper RTMP publishers put around onMetaData, which NMS forwards as
 * is. The room's own FLV files (ffmpeg's, boxroom-capture's) have none, so their metadata passes unchanged.
 */
const SET_DATA_FRAME = Buffer.from([0x02, 0x00, 0x0d, ...Buffer.from('@setDataFrame', 'latin1')]);
const TAG_HEADER_BYTES = 11;
const PREV_SIZE_BYTES = 4;
const SCRIPT_TAG = 18;

/**
 * A viewer's FLV must start its script tag with "onMetaData" (mpegts.js and ffprobe ignore the
 * metadata otherwise): drop the "@setDataFrame" prefix and fix the tag's sizes. Tags that are not
 * wrapped are returned as they are. Runs once per publish, not per frame.
 */
export function unwrapMetadataTag(tag: Buffer): Buffer {
  const prefixEnd = TAG_HEADER_BYTES + SET_DATA_FRAME.length;
  if (tag[0] !== SCRIPT_TAG || tag.length < prefixEnd + PREV_SIZE_BYTES) return tag;
  if (!tag.subarray(TAG_HEADER_BYTES, prefixEnd).equals(SET_DATA_FRAME)) return tag;
  const dataSize = tag.readUIntBE(1, 3) - SET_DATA_FRAME.length;
  if (dataSize <= 0 || prefixEnd + dataSize > tag.length) return tag;
  const out = Buffer.allocUnsafe(TAG_HEADER_BYTES + dataSize + PREV_SIZE_BYTES);
  tag.copy(out, 0, 0, TAG_HEADER_BYTES);
  out.writeUIntBE(dataSize, 1, 3);
  tag.copy(out, TAG_HEADER_BYTES, prefixEnd, prefixEnd + dataSize);
  out.writeUInt32BE(TAG_HEADER_BYTES + dataSize, TAG_HEADER_BYTES + dataSize);
  return out;
}

const AMF_NUMBER = 0;
const AMF_BOOLEAN = 1;
const AMF_STRING = 2;
const AMF_ECMA_ARRAY = 8;
const AMF_OBJECT_END = [0, 0, 9];
const ON_METADATA = Buffer.from([AMF_STRING, 0x00, 0x0a, ...Buffer.from('onMetaData', 'latin1')]);

/** The entries of an onMetaData body as ffmpeg's FLV muxer (and boxroom-capture) writes it: name -> its bytes (key and value). */
function metadataEntries(body: Buffer): Map<string, Buffer> | null {
  const start = ON_METADATA.length;
  if (body.length < start + 5 || !body.subarray(0, start).equals(ON_METADATA)) return null;
  if (body[start] !== AMF_ECMA_ARRAY) return null;
  const entries = new Map<string, Buffer>();
  let p = start + 5; // type and the (advisory) count
  while (p + 3 <= body.length) {
    const keyLength = body.readUInt16BE(p);
    if (keyLength === 0 && body[p + 2] === AMF_OBJECT_END[2]) return entries;
    const valueAt = p + 2 + keyLength;
    if (valueAt >= body.length) return null;
    const type = body[valueAt];
    let end: number;
    if (type === AMF_NUMBER) end = valueAt + 9;
    else if (type === AMF_BOOLEAN) end = valueAt + 2;
    else if (type === AMF_STRING && valueAt + 3 <= body.length)
      end = valueAt + 3 + body.readUInt16BE(valueAt + 1);
    else return null; // ffmpeg writes only these three
    if (end > body.length) return null;
    entries.set(body.toString('latin1', p + 2, valueAt), body.subarray(p, end));
    p = end;
  }
  return null;
}

/**
 * One onMetaData body from the picture's and the sound's (script tag data, no tag header): the room's
 * encoders write them as two FLV files, and a viewer's single FLV carries one metadata tag with both
 * tracks' fields (mpegts.js reads the codecs and the sample rate from it). The picture's entry wins a
 * name both have (encoder; duration, which boxroom-capture does not write). Null when either is not
 * the ECMA array ffmpeg writes. Runs once per start of an encoder, not per frame.
 */
export function mergeMetadataBodies(video: Buffer, audio: Buffer): Buffer | null {
  const v = metadataEntries(video);
  const a = metadataEntries(audio);
  if (!v || !a) return null;
  for (const [name, bytes] of a) if (!v.has(name)) v.set(name, bytes);
  const count = Buffer.alloc(5);
  count[0] = AMF_ECMA_ARRAY;
  count.writeUInt32BE(v.size, 1);
  return Buffer.concat([ON_METADATA, count, ...v.values(), Buffer.from(AMF_OBJECT_END)]);
}
