// Generation from chat prompts: the child's generate request takes `messages` and renders them with the
// model's chat template exactly as `clinical-ft generate --chat` does; empty output decodes to "".
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fork, spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { initBackend } from '../../../src/trainer/backend';
import { generate, loadModel, type LoadedModel } from '../../../src/trainer/engine';
import { generationPromptIds } from '../../../src/trainer/engine/generationPrompt';
import { parseTrainerRequest } from '../../../src/core/protocol/trainer';
import { writeTinyModel } from '../../fixtures/tinyModel';
import { tempDir } from './helpers';

const root = process.env.CLINICAL_FT_ROOT ?? process.cwd();
const chat = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'Fever?' },
];

describe('generation prompts', () => {
  let m: LoadedModel;
  let plain: LoadedModel;
  before(async () => {
    await initBackend('cpu');
    const dir = tempDir('chatgen');
    await writeTinyModel(path.join(dir, 'chat'), { arch: 'llama', seed: 3 });
    await writeTinyModel(path.join(dir, 'plain'), { arch: 'llama', seed: 3, chatTemplate: false });
    m = await loadModel(path.join(dir, 'chat'));
    plain = await loadModel(path.join(dir, 'plain'));
  });
  after(() => {
    m.model.dispose();
    plain.model.dispose();
  });

  test('messages are rendered with the chat template and the generation prompt, with one BOS', () => {
    const r = generationPromptIds(m, { text: 'system: Be brief.\n\nuser: Fever?', messages: chat });
    assert.equal(r.chat, true);
    const rendered = m.chatTemplate!.render(chat, { addGenerationPrompt: true });
    assert.ok(rendered.endsWith('<|assistant|>\n'));
    assert.deepEqual(r.ids, [m.tokenizer.bosId!, ...m.tokenizer.encode(rendered, { addSpecialTokens: false })]);
    assert.equal(r.ids.filter((id) => id === m.tokenizer.bosId).length, 1);
  });

  test('without messages the text is tokenised as given; without a chat template, as training renders the chat', () => {
    assert.deepEqual(generationPromptIds(m, { text: 'Fever?' }), { ids: m.tokenizer.encode('Fever?'), chat: false });
    const flat = 'system: Be brief.\n\nuser: Fever?';
    const trainedAs = '### System:\nBe brief.\n\n### User:\nFever?\n\n### Assistant:\n';
    assert.deepEqual(generationPromptIds(plain, { text: flat, messages: chat }), { ids: [plain.tokenizer.bosId!, ...plain.tokenizer.encode(trainedAs, { addSpecialTokens: false })], chat: true });
  });

  test('EOS as the very first token gives empty output, decoded to "" rather than an error', async () => {
    const prompt = m.tokenizer.encode('Patient reports');
    const probe = await generate(m, prompt, { maxNewTokens: 1, temperature: 0, topP: 1, seed: 0, stopIds: [] });
    const pieces: string[] = [];
    const r = await generate(m, prompt, { maxNewTokens: 5, temperature: 0, topP: 1, seed: 0, stopIds: [probe.ids[0]], onToken: (_id, t) => pieces.push(t) });
    assert.deepEqual(r, { ids: [], text: '', stoppedAt: 'eos' });
    assert.deepEqual(pieces, []);
  });
});

test('the generate request accepts chat messages (additive) and rejects malformed ones', () => {
  const base = { type: 'generate', id: 'g', model: '/m', prompt: 'user: hi' };
  assert.equal(parseTrainerRequest(base).ok, true);
  const withChat = parseTrainerRequest({ ...base, messages: [{ role: 'user', content: 'hi' }] });
  assert.ok(withChat.ok && withChat.value.type === 'generate' && withChat.value.messages?.[0].content === 'hi');
  for (const messages of [[], [{ role: 'user' }], [{ role: 'narrator', content: 'x' }], 'hi']) assert.equal(parseTrainerRequest({ ...base, messages }).ok, false, JSON.stringify(messages));
});

describe('child generate with messages = clinical-ft generate --chat', () => {
  let trainer = '';
  let model = '';
  before(async () => {
    trainer = path.join(root, 'out', `engine-chat-${process.pid}`, 'trainer.js');
    await esbuild.build({ entryPoints: [path.join(root, 'src/trainer/main.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: trainer, packages: 'external', logLevel: 'error' });
    model = path.join(tempDir('chatgen-cli'), 'model');
    await writeTinyModel(model, { arch: 'qwen2', seed: 11 });
  });
  after(() => fs.rmSync(path.dirname(trainer), { recursive: true, force: true }));

  test('same tokens for the same user turn; the flattened prompt alone differs', async () => {
    const cli = spawnSync(process.execPath, [trainer, 'generate', '--model', model, '--prompt', 'Fever?', '--chat', '--json', '--max-new-tokens', '8', '--backend', 'cpu'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(cli.status, 0, cli.stderr);
    const expected = JSON.parse(cli.stdout) as { text: string; tokens: number[] };
    const child = fork(trainer, ['--child'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const events: Record<string, unknown>[] = [];
    const waiters: (() => void)[] = [];
    child.on('message', (e) => {
      events.push(e as Record<string, unknown>);
      waiters.splice(0).forEach((w) => w());
    });
    const waitFor = async (pred: (e: Record<string, unknown>) => boolean) => {
      for (;;) {
        const hit = events.find(pred);
        if (hit) return hit;
        await new Promise<void>((r) => waiters.push(r));
      }
    };
    try {
      await waitFor((e) => e.type === 'ready');
      const req = { type: 'generate', model, prompt: 'user: Fever?', maxNewTokens: 8 };
      child.send({ ...req, id: 'chat', messages: [{ role: 'user', content: 'Fever?' }] });
      const viaChat = await waitFor((e) => e.id === 'chat' && (e.type === 'generated' || e.type === 'failed'));
      assert.equal(viaChat.type, 'generated', JSON.stringify(viaChat));
      assert.deepEqual({ text: viaChat.text, tokens: viaChat.tokens }, { text: expected.text, tokens: expected.tokens });
      child.send({ ...req, id: 'flat' });
      const viaText = await waitFor((e) => e.id === 'flat' && (e.type === 'generated' || e.type === 'failed'));
      assert.equal(viaText.type, 'generated', JSON.stringify(viaText));
      assert.notDeepEqual(viaText.tokens, expected.tokens, 'the flattened text is a different prompt');
    } finally {
      child.kill();
    }
  });
});
