/**
 * AMF0 string "@setDataFrame": the wrapper RTMP publishers put around onMetaData, which NMS forwards as
 * is. ffmpeg's FLV on its stdout (the room's publisher) has none, so its metadata passes unchanged.
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
