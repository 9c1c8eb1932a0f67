declare const __SCANLENS_VERSION__: string | undefined;

/** Injected by the esbuild build from package.json; 'dev' when run from source. */
export const SCANLENS_VERSION: string = typeof __SCANLENS_VERSION__ === 'string' ? __SCANLENS_VERSION__ : 'dev';
