export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The box where `object-fit: contain` draws a `mediaW x mediaH` picture inside a `boxW x boxH`
 * element: scaled to fit, centred, letterboxed on the other axis. Zero-sized media fill the element.
 */
export function containBox(boxW: number, boxH: number, mediaW: number, mediaH: number): Box {
  if (boxW <= 0 || boxH <= 0) return { left: 0, top: 0, width: 0, height: 0 };
  if (mediaW <= 0 || mediaH <= 0) return { left: 0, top: 0, width: boxW, height: boxH };
  const scale = Math.min(boxW / mediaW, boxH / mediaH);
  const width = mediaW * scale;
  const height = mediaH * scale;
  return { left: (boxW - width) / 2, top: (boxH - height) / 2, width, height };
}

/** A point in the element (CSS px) -> remote desktop pixels, or null when it is on the letterbox. */
export function toRemote(
  x: number,
  y: number,
  box: Box,
  remoteW: number,
  remoteH: number,
): { x: number; y: number } | null {
  if (box.width <= 0 || box.height <= 0) return null;
  const rx = ((x - box.left) / box.width) * remoteW;
  const ry = ((y - box.top) / box.height) * remoteH;
  if (rx < 0 || ry < 0 || rx >= remoteW || ry >= remoteH) return null;
  return { x: Math.floor(rx), y: Math.floor(ry) };
}

/** Remote desktop pixel (its centre) -> element CSS px; the inverse of toRemote. */
export function fromRemote(
  rx: number,
  ry: number,
  box: Box,
  remoteW: number,
  remoteH: number,
): { x: number; y: number } {
  return {
    x: box.left + ((rx + 0.5) / remoteW) * box.width,
    y: box.top + ((ry + 0.5) / remoteH) * box.height,
  };
}
