// Longitude/latitude to SVG coordinates for small maps (a community, a street): projected linearly into
// the box of the given points (at that scale the distortion does not matter), longitude scaled by
// cos(latitude) so shapes keep their proportions, centred in a width × height box with a margin.
// Used by the grid dashboard (GridMap) and the device map (设备分布).

export interface Projection {
  px: (lng: number) => number;
  py: (lat: number) => number;
}

/** The projection fitting `points` ([lng, lat]) into the box, or null when there are none. */
export function fitProjection(points: Iterable<readonly [number, number]>, width: number, height: number, pad: number): Projection | null {
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const [x, y] of points) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  if (!Number.isFinite(minX) || !Number.isFinite(minY)) return null;
  const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxX - minX) * k, 1e-6);
  const spanY = Math.max(maxY - minY, 1e-6);
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  // Centred on the middle of the points (a single point lands in the middle of the box).
  const midX = (minX + maxX) / 2;
  const midY = (minY + maxY) / 2;
  return {
    px: (lng: number) => width / 2 + (lng - midX) * k * scale,
    py: (lat: number) => height / 2 - (lat - midY) * scale,
  };
}
