import type { ViewerPage } from './viewerPage';

/** The page's canvas, as seen from the tests' (DOM-less) types. */
interface PageGlobals {
  devicePixelRatio: number;
  document: {
    querySelector(selector: string): {
      width: number;
      height: number;
      getBoundingClientRect(): { width: number; height: number };
      getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
    };
  };
}

/** The slice on screen as RGB bytes, one sample at each slice pixel's centre (the page draws it fitted, centred, unpanned). */
export async function slicePixels(viewer: ViewerPage, width: number, height: number): Promise<Uint8ClampedArray> {
  const { zoom } = await viewer.request({ type: 'state' });
  const values = await viewer.page.evaluate(
    ([w, h, z]) => {
      const { document, devicePixelRatio } = globalThis as unknown as PageGlobals;
      const canvas = document.querySelector('.stage canvas');
      const ratio = devicePixelRatio || 1;
      const box = canvas.getBoundingClientRect();
      const [x0, y0] = [(box.width - w * z) / 2, (box.height - h * z) / 2];
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const out: number[] = [];
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const i = (Math.floor((y0 + (y + 0.5) * z) * ratio) * canvas.width + Math.floor((x0 + (x + 0.5) * z) * ratio)) * 4;
          out.push(pixels.data[i]!, pixels.data[i + 1]!, pixels.data[i + 2]!);
        }
      }
      return out;
    },
    [width, height, zoom] as const,
  );
  return Uint8ClampedArray.from(values);
}
