// The GGUF writer's pieces against the definitions in llama.cpp's gguf-py and convert_hf_to_gguf.py: q8_0
// blocks, Llama's q/k row permutation, the file layout read back by a minimal reader, and the Modelfile.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeGgufHeader, quantizeQ8_0, tensorBytes, u32, str, f32 } from '../../../src/trainer/export/ggufFormat';
import { permuteForLlamaRope, ggufTensorType } from '../../../src/trainer/export/ggufArchitecture';
import { assemble, goTemplate, roleFrame, ollamaModelfile } from '../../../src/trainer/export/ollamaModelfile';
import { loadChatTemplate } from '../../../src/trainer/engine/chatTemplate';
import { halfToFloat } from '../../../src/trainer/engine/safetensors';
import { exportModel } from '../../../src/trainer/export/exportModel';
import { writeTinyModel, DEFAULT_CHAT_TEMPLATE } from '../../fixtures/tinyModel';
import { tempDir } from '../engine/helpers';

/** gguf-py's reading of a file: just enough to check what the writer laid out. */
function readGguf(buf: Buffer): { version: number; kv: Map<string, unknown>; tensors: { name: string; dims: number[]; type: number; offset: number }[]; dataStart: number } {
  let p = 0;
  const u32r = () => ((p += 4), buf.readUInt32LE(p - 4));
  const u64r = () => ((p += 8), Number(buf.readBigUInt64LE(p - 8)));
  const strr = () => {
    const n = u64r();
    p += n;
    return buf.subarray(p - n, p).toString('utf8');
  };
  const value = (t: number): unknown => {
    switch (t) {
      case 4: return u32r();
      case 5: return ((p += 4), buf.readInt32LE(p - 4));
      case 6: return ((p += 4), buf.readFloatLE(p - 4));
      case 7: return ((p += 1), buf[p - 1] === 1);
      case 8: return strr();
      case 9: {
        const et = u32r();
        const n = u64r();
        return Array.from({ length: n }, () => value(et));
      }
      default: throw new Error(`type ${t}`);
    }
  };
  assert.equal(buf.subarray(0, 4).toString('ascii'), 'GGUF');
  p = 4;
  const version = u32r();
  const nt = u64r();
  const nkv = u64r();
  const kv = new Map<string, unknown>();
  for (let i = 0; i < nkv; i++) {
    const k = strr();
    kv.set(k, value(u32r()));
  }
  const tensors = Array.from({ length: nt }, () => {
    const name = strr();
    const nd = u32r();
    const dims = Array.from({ length: nd }, () => u64r());
    return { name, dims, type: u32r(), offset: u64r() };
  });
  return { version, kv, tensors, dataStart: Math.ceil(p / 32) * 32 };
}

describe('GGUF', () => {
  test('q8_0: per block of 32, an f16 scale max|x|/127 and roundf(x/scale) as int8 (ggml reference layout)', () => {
    const x = Float32Array.from({ length: 64 }, (_, i) => (i < 32 ? (i - 16) * 0.37 : i === 40 ? -2.54 : Math.sin(i)));
    const q = quantizeQ8_0(x);
    assert.equal(q.length, 2 * 34);
    for (let b = 0; b < 2; b++) {
      const block = x.subarray(b * 32, b * 32 + 32);
      const amax = Math.max(...Array.from(block, Math.abs));
      const d = halfToFloat(q.readUInt16LE(b * 34));
      assert.ok(Math.abs(d - amax / 127) <= (amax / 127) * 2 ** -10, `block ${b}: scale ${d} vs ${amax / 127}`);
      for (let j = 0; j < 32; j++) {
        const qi = q.readInt8(b * 34 + 2 + j);
        assert.ok(Math.abs(qi) <= 127);
        assert.ok(Math.abs(qi * d - block[j]) <= d / 2 + amax * 2 ** -10, `block ${b}[${j}]: ${qi}·${d} vs ${block[j]}`);
      }
    }
    // The largest magnitude maps to ±127 and ties round away from zero, as C's roundf.
    assert.equal(q.readInt8(34 + 2 + 8), -127);
    assert.deepEqual([...quantizeQ8_0(new Float32Array(32)).subarray(2)], new Array(32).fill(0));
  });

  test("Llama q/k permutation is convert_hf_to_gguf's reshape(heads, 2, d/2, cols).swapaxes(1, 2)", () => {
    const heads = 2;
    const rows = 8;
    const cols = 3;
    const data = Float32Array.from({ length: rows * cols }, (_, i) => i);
    const out = permuteForLlamaRope(data, rows, cols, heads);
    // Head 0 rows [0,1 | 2,3] (halves) become [0,2,1,3]; head 1 [4,5 | 6,7] become [4,6,5,7].
    const order = [0, 2, 1, 3, 4, 6, 5, 7];
    order.forEach((src, dst) => assert.deepEqual([...out.subarray(dst * cols, dst * cols + cols)], [src * cols, src * cols + 1, src * cols + 2]));
  });

  test('tensor types: norms and 1-D stay f32; q8_0 falls back to f16 when 32 does not divide a row', () => {
    assert.equal(ggufTensorType('blk.0.attn_norm.weight', [64], 'Q8_0'), 'F32');
    assert.equal(ggufTensorType('blk.0.attn_q.bias', [64], 'F16'), 'F32');
    assert.equal(ggufTensorType('blk.0.attn_q.weight', [64, 64], 'Q8_0'), 'Q8_0');
    assert.equal(ggufTensorType('blk.0.ffn_down.weight', [64, 48], 'Q8_0'), 'F16');
    assert.equal(tensorBytes([64, 64], 'Q8_0'), 64 * 2 * 34);
  });

  test('header: v3, metadata and tensor infos with ggml dims innermost first and 32-byte aligned offsets', () => {
    const { header, offsets, dataBytes } = encodeGgufHeader([['general.architecture', str('llama')], ['llama.block_count', u32(2)], ['llama.rope.freq_base', f32(10000)]], [
      { name: 'a', shape: [3, 5], type: 'F32' },
      { name: 'b', shape: [64, 32], type: 'Q8_0' },
    ]);
    const g = readGguf(header);
    assert.equal(g.version, 3);
    assert.equal(g.kv.get('general.architecture'), 'llama');
    assert.equal(g.kv.get('llama.block_count'), 2);
    assert.deepEqual(g.tensors.map((t) => [t.name, t.dims, t.type]), [['a', [5, 3], 0], ['b', [32, 64], 8]]);
    assert.deepEqual(offsets, [0, 64]);
    assert.equal(dataBytes, 64 + 64 * 34);
    assert.equal(header.length % 32, 0);
  });

  test('an exported tiny Llama: metadata llama.cpp reads, tensor names, the data section holds every tensor', async () => {
    const root = tempDir('gguf');
    const model = path.join(root, 'model');
    await writeTinyModel(model, { arch: 'llama', hidden: 64, heads: 4, kvHeads: 2, intermediate: 80, layers: 2, tokenizer: 'bytes', vocab: 288 });
    const out = path.join(root, 'out');
    const warnings: string[] = [];
    const r = await exportModel({ model, out, format: 'gguf', quant: 'q8_0', onWarning: (w) => warnings.push(w) });
    assert.deepEqual(r.files, ['out-q8_0.gguf', 'Modelfile']);
    const buf = fs.readFileSync(path.join(out, 'out-q8_0.gguf'));
    const g = readGguf(buf);
    for (const [k, v] of [['general.architecture', 'llama'], ['general.file_type', 7], ['llama.block_count', 2], ['llama.embedding_length', 64], ['llama.feed_forward_length', 80], ['llama.attention.head_count', 4], ['llama.attention.head_count_kv', 2], ['llama.context_length', 512], ['tokenizer.ggml.model', 'gpt2'], ['tokenizer.ggml.pre', 'gpt-2'], ['tokenizer.ggml.bos_token_id', 0], ['tokenizer.ggml.eos_token_id', 1], ['tokenizer.ggml.add_bos_token', true], ['tokenizer.chat_template', DEFAULT_CHAT_TEMPLATE]] as const) {
      assert.deepEqual(g.kv.get(k), v, k);
    }
    const tokens = g.kv.get('tokenizer.ggml.tokens') as string[];
    assert.equal(tokens.length, 288);
    assert.equal(tokens[287], '[PAD287]');
    const names = g.tensors.map((t) => t.name);
    assert.deepEqual(names.slice(0, 1), ['token_embd.weight']);
    for (const n of ['blk.1.attn_q.weight', 'blk.1.attn_k.weight', 'blk.1.attn_v.weight', 'blk.1.attn_output.weight', 'blk.1.ffn_gate.weight', 'blk.1.ffn_up.weight', 'blk.1.ffn_down.weight', 'blk.1.attn_norm.weight', 'blk.1.ffn_norm.weight', 'output_norm.weight', 'output.weight']) assert.ok(names.includes(n), n);
    const types = Object.fromEntries(g.tensors.map((t) => [t.name, t.type]));
    assert.equal(types['blk.0.attn_q.weight'], 8);
    assert.equal(types['blk.0.ffn_down.weight'], 1, 'rows of 80 are not q8_0 blocks: f16');
    assert.equal(types['blk.0.attn_norm.weight'], 0);
    const last = g.tensors[g.tensors.length - 1];
    const lastBytes = tensorBytes([...last.dims].reverse(), last.type === 8 ? 'Q8_0' : last.type === 1 ? 'F16' : 'F32');
    assert.equal(buf.length, g.dataStart + Math.ceil((last.offset + lastBytes) / 32) * 32);
    assert.deepEqual(warnings, []);
  });

  test('Modelfile TEMPLATE reproduces the chat template for system, user, assistant turns and the generation prompt', () => {
    const cases: [string, string | undefined][] = [
      [DEFAULT_CHAT_TEMPLATE, undefined],
      ["{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}", undefined],
      ["{{ bos_token }}{% for m in messages %}{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>\\n\\n' + m['content'] | trim + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}", '<|begin_of_text|>'],
    ];
    for (const [source, bos] of cases) {
      const t = loadChatTemplate({ chat_template: source, eos_token: '</s>', ...(bos ? { bos_token: bos } : {}) }, 'tokenizer_config.json')!;
      const frame = roleFrame(t, bos);
      assert.ok(frame?.system, source);
      const tpl = goTemplate(frame);
      // Render the Go template by hand for one conversation (range over messages, role branches, last-turn prompt).
      const msgs = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Fever?' }, { role: 'assistant', content: 'Yes.' }, { role: 'user', content: 'Admit?' }];
      const expected = t.render(msgs as never, { addGenerationPrompt: true });
      const got = (bos ?? '') + assemble(frame, msgs);
      assert.equal(got, expected);
      assert.ok(tpl.startsWith('{{ range $i, $_ := .Messages }}') && !tpl.includes('{{-'), tpl);
    }
    const mf = ollamaModelfile({ ggufFile: 'm.gguf', template: loadChatTemplate({ chat_template: cases[1][0] }, 'x')!, stops: ['</s>'], specialTokens: new Set(['<|im_end|>', '<|im_start|>']), generationConfig: { temperature: 0.6, top_p: 0.9 } });
    assert.equal(mf.warning, undefined);
    assert.match(mf.text, /^FROM \.\/m\.gguf\nTEMPLATE """/);
    assert.match(mf.text, /PARAMETER stop "<\/s>"\nPARAMETER stop "<\|im_end\|>"\nPARAMETER temperature 0.6\nPARAMETER top_p 0.9\n$/);
    const folded = ollamaModelfile({ ggufFile: 'm.gguf', template: loadChatTemplate({ chat_template: "{% for m in messages %}{% if loop.first %}<first>{{ m['content'] }}</first>{% else %}<{{ m['role'] }}>{{ m['content'] }}</{{ m['role'] }}>{% endif %}{% endfor %}" }, 'x')!, stops: [], specialTokens: new Set() });
    assert.match(folded.warning ?? '', /TEMPLATE left out/);
    assert.doesNotMatch(folded.text, /TEMPLATE/);
    const counting = loadChatTemplate({ chat_template: "{% for m in messages %}{% if loop.index0 == 1 %}[2]{% endif %}{{ m['content'] }}{% endfor %}" }, 'x')!;
    assert.equal(roleFrame(counting, undefined), undefined, 'a template that counts turns is not a per-role frame');
  });
});
