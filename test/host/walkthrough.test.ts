import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/paths';

interface Step {
  id: string;
  description: string;
  media: { markdown?: string; image?: string };
  completionEvents?: string[];
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  activationEvents: string[];
  contributes: { commands: { command: string }[]; walkthroughs: { id: string; steps: Step[] }[] };
};
const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n');

test('the walkthrough: notebook, results view, viewer, own model; every button and completion names a contributed command that activates the extension', () => {
  const [walkthrough] = pkg.contributes.walkthroughs;
  assert.deepEqual(
    walkthrough?.steps.map((s) => s.id),
    ['notebook', 'results', 'viewer', 'model'],
  );
  const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
  for (const step of walkthrough!.steps) {
    const commands = [...step.description.matchAll(/\(command:([\w.]+)\)/g), ...(step.completionEvents ?? []).map((e) => /^onCommand:([\w.]+)$/.exec(e))].map((m) => m?.[1]);
    for (const command of commands) {
      assert.ok(command && contributed.has(command), `${step.id}: ${command} is not a contributed command`);
      assert.ok(pkg.activationEvents.includes(`onCommand:${command}`), `${step.id}: ${command} does not activate the extension`);
    }
  }
});

test("each step's page exists and ships in the .vsix (its folder is not left out)", () => {
  for (const step of pkg.contributes.walkthroughs[0]!.steps) {
    const media = step.media.markdown ?? step.media.image;
    assert.ok(media && existsSync(join(ROOT, media)), `${step.id}: ${media} is missing`);
    const folder = media.split('/')[0]!;
    assert.ok(!ignore.includes(`${folder}/**`), `${folder}/ is left out of the .vsix`);
  }
});
