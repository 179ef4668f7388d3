/**
 * FLV tag types (the low 5 bits of a tag's first byte) and the codec values boxroom streams carry: one
 * table for every reader of the room's stream (the fan-out and recorder on Node Buffers, the page's
 * WebCodecs player on Uint8Arrays).
 */
export const FLV = {
  AUDIO_TAG: 8,
  VIDEO_TAG: 9,
  SCRIPT_TAG: 18,
  /** SoundFormat (audio tag, high nibble of the body's first byte, byte 11 of the tag) */
  AAC: 10,
  /** CodecID (video tag, low nibble of the body's first byte) */
  AVC: 7,
  /** AACPacketType / AVCPacketType (the body's second byte, byte 12 of the tag) */
  SEQUENCE_HEADER: 0,
  AVC_NALU: 1,
  /** FrameType (video tag, high nibble of the body's first byte) */
  KEY_FRAME: 1,
} as const;
