import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXECUTION_PROVIDERS } from '../../src/core/model/executionProviders';
import { MAX_THREADS, PROVIDER_SETTING, THREADS_SETTING, parseInferenceSettings } from '../../src/host/inferenceSettings';
import { ROOT } from '../helpers/paths';

// What this Linux x64 npm build of onnxruntime-node lists; the tests pass it in, as the host passes the real list.
const LISTED = ['cpu', 'webgpu', 'cuda', 'tensorrt'];

const parse = (provider: unknown, threads: unknown) => parseInferenceSettings({ provider, threads }, LISTED);

/** The error text, asserting it is one line that names the setting. */
function failure(provider: unknown, threads: unknown, setting: string): string {
  let message = '';
  assert.throws(
    () => parse(provider, threads),
    (error: Error) => {
      message = error.message;
      return true;
    },
  );
  assert.ok(message.startsWith(`${setting}: `), message);
  assert.doesNotMatch(message, /\n/);
  return message;
}

test('unset settings mean the CPU with automatic threads; 0 threads is automatic', () => {
  assert.deepEqual(parse(undefined, undefined), { provider: 'cpu' });
  assert.deepEqual(parse('cpu', 0), { provider: 'cpu' });
});

test('a listed provider and a thread count pass through; blanks around the name are trimmed', () => {
  assert.deepEqual(parse('webgpu', 2), { provider: 'webgpu', threads: 2 });
  assert.deepEqual(parse(' cuda ', MAX_THREADS), { provider: 'cuda', threads: MAX_THREADS });
});

test('a provider this runtime lacks names the setting and lists what the runtime has', () => {
  assert.equal(failure('coreml', 0, PROVIDER_SETTING), "scanlens.provider: execution provider 'coreml' is not in this onnxruntime; it has: cpu, webgpu, cuda, tensorrt");
  assert.match(failure('CPU', 0, PROVIDER_SETTING), /'CPU' is not in this onnxruntime/);
});

test('a provider that is not a name is refused with what was given', () => {
  assert.equal(failure(42, 0, PROVIDER_SETTING), 'scanlens.provider: expected the name of an execution provider such as "cpu", got 42');
  assert.match(failure('  ', 0, PROVIDER_SETTING), /got " {2}"$/);
  assert.match(failure(null, 0, PROVIDER_SETTING), /got null$/);
});

test('threads must be a whole number from 0 to the maximum', () => {
  for (const bad of [-1, 2.5, MAX_THREADS + 1, '4', null, true]) {
    assert.equal(failure('cpu', bad, THREADS_SETTING), `scanlens.threads: expected a whole number from 0 (automatic) to ${MAX_THREADS}, got ${JSON.stringify(bad)}`);
  }
});

test('package.json declares both settings as the host reads them, and withholds a workspace provider in Restricted Mode', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const properties = manifest.contributes.configuration.properties;
  const provider = properties[PROVIDER_SETTING];
  assert.equal(provider.default, 'cpu');
  assert.deepEqual(provider.enum, [...EXECUTION_PROVIDERS]);
  assert.equal(provider.enumDescriptions.length, EXECUTION_PROVIDERS.length);
  const threads = properties[THREADS_SETTING];
  assert.deepEqual([threads.type, threads.default, threads.minimum, threads.maximum], ['integer', 0, 0, MAX_THREADS]);
  const restricted: string[] = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
  assert.ok(restricted.includes(PROVIDER_SETTING));
  assert.ok(!restricted.includes(THREADS_SETTING));
});
