import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const fixture = (...parts: string[]): string => join(FIXTURES, ...parts);
