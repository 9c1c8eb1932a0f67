/** The colormaps overlays can be drawn with (core/render/colormaps.ts has their tables). */
export const COLORMAPS = ['jet', 'turbo', 'inferno', 'viridis'] as const;
export type ColormapName = (typeof COLORMAPS)[number];
