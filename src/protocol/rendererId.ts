/** The notebook renderer's id (package.json `contributes.notebookRenderer`); host messaging is addressed by it. Kept apart from the zod schemas so the extension shell can use it without loading zod. */
export const RENDERER_ID = 'scanlens-renderer';
