// The TRL engine stage, for real: handoff job folders from our run configs, trained by the pinned Python stack
// (scripts/python-env.sh) with `accelerate launch` on 2 CPU processes (gloo). Prints "N passed, N failed".
// Python: $CLINICAL_FT_PYTHON, else the cached venv. Missing venv: skipped locally, a failure under CI=true.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleForNode, repoRoot as root } from '../../scripts/bundleForNode.mjs';

const cache = process.env.CLINICAL_FT_PY_CACHE ?? path.join(os.homedir(), '.cache/clinical-ft-py');
const python = process.env.CLINICAL_FT_PYTHON ?? path.join(cache, 'venv/bin/python');
const trainer = path.join(root, 'dist/trainer.js');
const LN2 = Math.log(2);
const TRAIN_NAMES = ['loss', 'learning_rate', 'grad_norm', 'tokens_per_second', 'num_tokens'];
const DPO_NAMES = ['rewards/chosen', 'rewards/rejected', 'rewards/margins', 'rewards/accuracies', 'logps/chosen', 'logps/rejected'];
const KTO_NAMES = ['kl', 'rewards/chosen', 'rewards/rejected', 'rewards/margins', 'logps/chosen', 'logps/rejected'];
const ORPO_NAMES = [...DPO_NAMES, 'nll_loss', 'log_odds_ratio', 'log_odds_chosen'];
const softplus = (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

if (!fs.existsSync(python)) {
  console.log(`python stage: no interpreter at ${python} (run: bash scripts/python-env.sh)`);
  if (process.env.CI === 'true') {
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.log('0 passed, 0 failed, 1 skipped');
  process.exit(0);
}
if (!fs.existsSync(trainer)) {
  console.log(`python stage: ${trainer} is missing (npm run build first)\n0 passed, 1 failed`);
  process.exit(1);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clinical-ft-trl-'));
const fixtures = path.join(root, 'out', `pyfix-${process.pid}`, 'makeFixtures.js');
await bundleForNode({ entryPoints: [path.join(root, 'test/python/makeFixtures.ts')], outfile: fixtures });
const made = spawnSync(process.execPath, [fixtures, tmp], { stdio: 'inherit' });
fs.rmSync(path.dirname(fixtures), { recursive: true, force: true });
if (made.status !== 0) {
  console.log('python stage: could not write the tiny model\n0 passed, 1 failed');
  process.exit(1);
}
const model = path.join(tmp, 'model');
/** A random LoRA adapter for the tiny model: KTO and SimPO start from it as from an SFT adapter. */
const startAdapter = path.join(tmp, 'start-adapter');
const reader = path.join(root, 'out', `pyread-${process.pid}`, 'readRunFolder.js');
await bundleForNode({ entryPoints: [path.join(root, 'test/python/readRunFolder.ts')], outfile: reader });
process.on('exit', () => fs.rmSync(path.dirname(reader), { recursive: true, force: true }));

/** What the extension's run-folder readers (Runs view, dashboard) make of a folder. */
function asTheExtensionReads(job) {
  const r = spawnSync(process.execPath, [reader, job], { encoding: 'utf8' });
  assert(r.status === 0, `readRunFolder exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

function cli(args) {
  const r = spawnSync(process.execPath, [trainer, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function handoff(name, config, extra = []) {
  const file = path.join(tmp, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ model, engine: 'trl', maxLength: 32, lr: 0.01, batchSize: 4, lora: { r: 4, alpha: 8, targets: ['q_proj', 'v_proj'] }, ...config }));
  const out = path.join(tmp, name);
  const r = cli(['handoff', '--config', file, '--out', out, '--num-processes', '2', ...extra]);
  assert(r.code === 0, `handoff ${name} exited ${r.code}: ${r.err}`);
  return out;
}

/** Starts launch.sh as its own process group (as the extension does), so a cancel can signal the whole group. */
function launch(job, args = [], { cancelAfterLines } = {}) {
  return new Promise((resolve, reject) => {
    const log = fs.openSync(path.join(job, `launch-${Date.now()}.log`), 'w');
    const child = spawn('bash', ['launch.sh', ...args], { cwd: job, detached: true, stdio: ['ignore', log, log], env: { ...process.env, CLINICAL_FT_PYTHON: python } });
    const t0 = Date.now();
    let cancelledAt;
    const timer = setInterval(() => {
      if (Date.now() - t0 > 8 * 60_000) {
        process.kill(-child.pid, 'SIGKILL');
        reject(new Error(`launch in ${job} ran over 8 minutes`));
      }
      if (cancelAfterLines !== undefined && cancelledAt === undefined && metricsOf(job).length >= cancelAfterLines) {
        cancelledAt = Date.now();
        process.kill(-child.pid, 'SIGTERM');
      }
    }, 200);
    child.on('exit', (code) => {
      clearInterval(timer);
      fs.closeSync(log);
      resolve({ code, seconds: (Date.now() - t0) / 1000, stopSeconds: cancelledAt ? (Date.now() - cancelledAt) / 1000 : undefined });
    });
  });
}

function metricsOf(job) {
  const file = path.join(job, 'metrics.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });
}

/** Binds a TCP port without listening on it, in a Python child (Node cannot bind without listening). */
function holdPort(port) {
  return new Promise((resolve, reject) => {
    const code = 'import socket,sys,time\ns=socket.socket()\ntry:\n  s.bind(("",int(sys.argv[1])))\nexcept OSError as e:\n  print("taken",e,flush=True)\n  sys.exit(0)\nprint("bound",flush=True)\ntime.sleep(900)';
    const child = spawn(python, ['-c', code, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', (d) => {
      const line = String(d).trim();
      if (line !== 'bound') console.log(`  port ${port} was already in use here (${line}); the jobs run beside that`);
      resolve(child);
    });
    child.on('error', reject);
    child.once('exit', () => resolve(child)); // a child that died without a word must not hang the stage
  });
}

/** run.json of a job; when the launch never wrote one, the error carries the end of its launch log. */
function runJson(job) {
  const file = path.join(job, 'run.json');
  if (!fs.existsSync(file)) {
    const logs = fs.readdirSync(job).filter((f) => f.startsWith('launch-')).sort();
    const tail = logs.length ? fs.readFileSync(path.join(job, logs.at(-1)), 'utf8').split('\n').slice(-25).join('\n') : '(no launch log)';
    throw new Error(`${path.basename(job)} wrote no run.json; its launch log ends:\n${tail}`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function pyJson(script, args) {
  const r = spawnSync(python, [path.join(root, 'test/python', script), ...args], { encoding: 'utf8' });
  assert(r.status === 0, `${script} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** Cases for the preference losses: uneven desirable/undesirable counts, KL > 0 and KL clamped, both signs of log odds. */
const PREFERENCE_CASES = {
  kto: [
    { beta: 0.1, desirable_weight: 1.0, undesirable_weight: 1.33, policy_chosen: [-12.5, -3.0], policy_rejected: [-20.0], policy_kl: [-30, -25, -28], ref_chosen: [-14.0, -2.5], ref_rejected: [-18.0], ref_kl: [-33, -24, -27] },
    { beta: 0.5, desirable_weight: 2.0, undesirable_weight: 1.0, policy_chosen: [-4.0], policy_rejected: [-6.0, -9.5, -2.0], policy_kl: [-40, -35, -38, -41], ref_chosen: [-4.5], ref_rejected: [-5.0, -9.0, -2.2], ref_kl: [-39, -34, -36, -40] },
  ],
  orpo: [
    { beta: 0.1, nll: 1.7, chosen: [-0.8, -1.2, -0.05], rejected: [-1.5, -0.9, -2.0] },
    { beta: 0.5, nll: 0.9, chosen: [-2.5, -0.3], rejected: [-0.2, -3.1] },
  ],
  simpo: [
    { beta: 2.0, gamma: 0.5, chosen: [-0.8, -1.2, -0.05], rejected: [-1.5, -0.9, -2.0] },
    { beta: 2.5, gamma: 1.4, chosen: [-2.5, -0.3], rejected: [-0.2, -3.1] },
  ],
};

let sftJob;
const tests = [
  ['KTO, ORPO and SimPO losses of the built-in engine equal TRL\'s own loss functions on the same log-probs', async () => {
    const cases = path.join(tmp, 'preference-cases.json');
    fs.writeFileSync(cases, JSON.stringify(PREFERENCE_CASES));
    const ours = path.join(root, 'out', `pyprefs-${process.pid}`, 'preferenceLossCases.js');
    await bundleForNode({ entryPoints: [path.join(root, 'test/python/preferenceLossCases.ts')], outfile: ours });
    const r = spawnSync(process.execPath, [ours, cases], { encoding: 'utf8' });
    fs.rmSync(path.dirname(ours), { recursive: true, force: true });
    assert(r.status === 0, `preferenceLossCases exited ${r.status}: ${r.stderr}`);
    const mine = JSON.parse(r.stdout);
    const trl = pyJson('trl_preference_losses.py', [cases]);
    let worst = 0;
    const close = (a, b, what) => {
      const d = Math.abs(a - b);
      worst = Math.max(worst, d);
      assert(d <= 1e-5 * Math.max(1, Math.abs(b)), `${what}: ours ${a}, TRL ${b}`);
    };
    for (const method of ['kto', 'orpo', 'simpo']) {
      assert(mine[method].length === PREFERENCE_CASES[method].length && trl[method].length === mine[method].length, `${method}: case counts differ`);
      mine[method].forEach((m, i) => {
        for (const [k, v] of Object.entries(trl[method][i])) {
          if (Array.isArray(v)) v.forEach((x, j) => close(m[k][j], x, `${method}[${i}].${k}[${j}]`));
          else close(m[k], v, `${method}[${i}].${k}`);
        }
      });
    }
    console.log(`  largest difference from TRL ${worst.toExponential(2)}`);
  }],
  ['every key of generated job folders is defined by the pinned TRL / transformers / PEFT / Accelerate', () => {
    const jobs = [handoff('keys-sft', { method: 'sft', data: path.join(tmp, 'sft.jsonl'), steps: 2, saveEvery: 1, evalData: path.join(tmp, 'sft.jsonl'), evalEvery: 1 })];
    for (const mode of ['cpu', 'multi-gpu', 'deepspeed-zero3', 'fsdp']) jobs.push(handoff(`keys-dpo-${mode}`, { method: 'dpo', data: path.join(tmp, 'dpo.jsonl'), steps: 2, rpoAlpha: 0.5, scheduler: 'cosine' }, ['--accelerate', mode]));
    jobs.push(handoff('keys-qlora', { method: 'sft', data: path.join(tmp, 'sft.jsonl'), steps: 2, loadIn4bit: true }, ['--accelerate', 'multi-gpu']));
    jobs.push(handoff('keys-kto', { method: 'kto', data: path.join(tmp, 'kto.prefs.jsonl'), steps: 2, desirableWeight: 1.2, evalData: path.join(tmp, 'dpo.jsonl'), evalEvery: 1 }));
    jobs.push(handoff('keys-orpo', { method: 'orpo', data: path.join(tmp, 'dpo.jsonl'), steps: 2, saveEvery: 1 }, ['--accelerate', 'fsdp']));
    jobs.push(handoff('keys-simpo', { method: 'simpo', data: path.join(tmp, 'dpo.jsonl'), steps: 2, simpoGamma: 1.2 }));
    const r = spawnSync(python, [path.join(root, 'test/python/check_job_keys.py'), ...jobs], { encoding: 'utf8' });
    assert(r.status === 0, `check_job_keys.py failed:\n${r.stderr.slice(-3000)}`);
  }],
  ['SFT on 2 CPU processes: SIGTERM to the launch group cancels with a checkpoint, --resume completes, metrics carry our names', async () => {
    sftJob = handoff('sft', { method: 'sft', data: path.join(tmp, 'sft.jsonl'), steps: 60, saveEvery: 30 });
    const first = await launch(sftJob, [], { cancelAfterLines: 3 });
    const cancelled = runJson(sftJob);
    assert(cancelled.status === 'cancelled', `after SIGTERM run.json status is ${cancelled.status} (launch exit ${first.code})`);
    assert(Number.isInteger(cancelled.lastCheckpoint) && cancelled.lastCheckpoint < 60, `lastCheckpoint ${cancelled.lastCheckpoint}`);
    assert(fs.existsSync(path.join(sftJob, 'checkpoints', `checkpoint-${cancelled.lastCheckpoint}`)), 'the cancel checkpoint folder is missing');
    assert(!fs.existsSync(path.join(sftJob, 'trainer.lock')), 'trainer.lock left behind after cancel');
    console.log(`  cancelled at step ${cancelled.lastCheckpoint}; the launch group ended ${first.stopSeconds?.toFixed(1)} s after SIGTERM`);
    const second = await launch(sftJob, ['--resume']);
    const done = runJson(sftJob);
    assert(second.code === 0 && done.status === 'completed', `resume: exit ${second.code}, status ${done.status}, error ${done.error ?? '-'}`);
    assert(done.numProcesses === 2 && done.config.engine === 'trl', `run.json numProcesses ${done.numProcesses}, engine ${done.config.engine}`);
    const train = metricsOf(sftJob).filter((m) => 'loss' in m);
    assert(train.map((m) => m.step).join() === Array.from({ length: 60 }, (_, i) => i + 1).join(), `steps after resume: ${train.map((m) => m.step).join()}`);
    for (const m of train) for (const n of TRAIN_NAMES) assert(typeof m[n] === 'number', `step ${m.step} has no ${n}`);
    assert(fs.existsSync(path.join(sftJob, 'adapter', 'adapter_model.safetensors')), 'no adapter/adapter_model.safetensors');
    const seen = asTheExtensionReads(sftJob);
    assert(seen.ok && seen.status === 'completed' && seen.engine === 'trl', `the extension reads run.json as ${JSON.stringify(seen)}`);
    assert(seen.records === 60 && seen.badLines.length === 0 && !seen.tornTail, `the extension reads metrics.jsonl as ${JSON.stringify(seen)}`);
  }],
  ['the adapter TRL wrote, scored by our engine, equals transformers + PEFT log-probs to 1e-4', () => {
    assert(sftJob, 'needs the SFT run');
    const text = 'patient presents with fever and discharge daily medication';
    const r = cli(['score', '--model', model, '--adapter', path.join(sftJob, 'adapter'), '--text', text]);
    assert(r.code === 0, `clinical-ft score exited ${r.code}: ${r.err}`);
    fs.writeFileSync(path.join(tmp, 'score.json'), r.out);
    const c = pyJson('compare_logprobs.py', [path.join(tmp, 'score.json'), model, path.join(sftJob, 'adapter'), text]);
    assert(c.same_ids, 'our tokenization differs from transformers');
    assert(c.maxdiff <= 1e-4, `max |Δ log-prob| ${c.maxdiff}`);
    assert(c.adapter_effect > 1e-3, `the adapter changes log-probs by only ${c.adapter_effect}: not trained?`);
    console.log(`  max |Δ log-prob| ${c.maxdiff.toExponential(2)}; adapter moves log-probs by up to ${c.adapter_effect.toFixed(3)}`);
  }],
  ['DPO from the SFT adapter on 2 CPU processes: step-1 loss is ln 2, DPO and eval_ metrics carry our names', async () => {
    assert(sftJob, 'needs the SFT run');
    const job = handoff('dpo', { method: 'dpo', data: path.join(tmp, 'dpo.jsonl'), adapter: path.join(sftJob, 'adapter'), steps: 3, beta: 0.1, evalData: path.join(tmp, 'dpo.jsonl'), evalEvery: 2 });
    const r = await launch(job);
    const rec = runJson(job);
    assert(r.code === 0 && rec.status === 'completed', `exit ${r.code}, status ${rec.status}, error ${rec.error ?? '-'}`);
    const train = metricsOf(job).filter((m) => 'loss' in m);
    assert(train.length === 3, `${train.length} training lines`);
    assert(Math.abs(train[0].loss - LN2) <= 1e-4, `step-1 loss ${train[0].loss}, ln 2 = ${LN2}`);
    assert(train[0]['rewards/chosen'] === 0 && train[0]['rewards/margins'] === 0, 'policy differs from reference at step 1');
    for (const m of train) for (const n of [...TRAIN_NAMES, ...DPO_NAMES]) assert(typeof m[n] === 'number', `step ${m.step} has no ${n}`);
    // As the built-in engine: eval every evalEvery steps and once more at the end.
    const evals = metricsOf(job).filter((m) => 'eval_loss' in m);
    assert(evals.map((m) => m.step).join() === '2,3', `eval lines at steps ${evals.map((m) => m.step).join()}`);
    for (const m of evals) for (const n of DPO_NAMES) assert(typeof m[`eval_${n}`] === 'number', `eval at step ${m.step} has no eval_${n}`);
  }],
  ['KTO from an SFT adapter on 2 CPU processes: labeled pairs unpaired; step-1 loss is the weighted 0.5 of an unmoved policy, kl 0; KTO and eval_ metrics carry our names', async () => {
    const data = path.join(tmp, 'kto.prefs.jsonl');
    const [wd, wu] = [1, 2];
    const job = handoff('kto', { method: 'kto', data, adapter: startAdapter, steps: 2, batchSize: 8, beta: 0.1, desirableWeight: wd, undesirableWeight: wu, evalData: data, evalEvery: 2 });
    const r = await launch(job);
    const rec = runJson(job);
    assert(r.code === 0 && rec.status === 'completed', `exit ${r.code}, status ${rec.status}, error ${rec.error ?? '-'}`);
    const train = metricsOf(job).filter((m) => 'loss' in m);
    assert(train.length === 2, `${train.length} training lines`);
    // Policy = reference at step 1 (the starting adapter is merged into both): every reward and the KL estimate are 0, so each
    // example's loss is its weight × (1 − σ(0)); the one batch holds all 8 examples (5 desirable, 3 undesirable).
    const want = (0.5 * (5 * wd + 3 * wu)) / 8;
    assert(Math.abs(train[0].loss - want) <= 1e-5, `step-1 loss ${train[0].loss}, 0.5·(5·${wd} + 3·${wu})/8 = ${want}`);
    assert(train[0].kl === 0 && train[0]['rewards/chosen'] === 0 && train[0]['rewards/rejected'] === 0, `step 1: kl ${train[0].kl}, rewards ${train[0]['rewards/chosen']} / ${train[0]['rewards/rejected']}`);
    for (const m of train) for (const n of [...TRAIN_NAMES, ...KTO_NAMES]) assert(typeof m[n] === 'number', `step ${m.step} has no ${n}`);
    const evals = metricsOf(job).filter((m) => 'eval_loss' in m);
    assert(evals.map((m) => m.step).join() === '2', `eval lines at steps ${evals.map((m) => m.step).join()}`);
    for (const n of KTO_NAMES) assert(typeof evals[0][`eval_${n}`] === 'number', `eval has no eval_${n}`);
    console.log(`  step-1 loss ${train[0].loss.toFixed(6)} (want ${want}); step 2 kl ${train[1].kl.toExponential(2)}, margin ${train[1]['rewards/margins'].toExponential(2)}`);
  }],
  ['ORPO from the base on 2 CPU processes: step-1 nll_loss, log-probs and loss are what transformers gives for the base model; the same seed gives the same run; metrics carry our names', async () => {
    const beta = 0.25;
    const config = { method: 'orpo', data: path.join(tmp, 'pair.jsonl'), steps: 2, batchSize: 2, beta };
    // Two jobs of one config side by side: step 2 depends on the new adapter's random A, so equal metrics mean
    // the seed decides it (TRL adds the adapter before Trainer seeds the RNGs; train.py seeds first).
    const [job, twin] = [handoff('orpo', config), handoff('orpo-twin', config)];
    // And two jobs on one machine must not need accelerate's default rendezvous port: 29500 is held the way a
    // job that is still starting holds it (bound, not yet listening, so accelerate's in-use check passes).
    const holder = await holdPort(29500);
    const runs = await Promise.all([launch(job), launch(twin)]).finally(() => holder.kill());
    for (const [i, dir] of [job, twin].entries()) {
      const rec = runJson(dir);
      assert(runs[i].code === 0 && rec.status === 'completed', `${path.basename(dir)}: exit ${runs[i].code}, status ${rec.status}, error ${rec.error ?? '-'}`);
    }
    const train = metricsOf(job).filter((m) => 'loss' in m);
    assert(train.length === 2, `${train.length} training lines`);
    const curves = (dir) => metricsOf(dir).filter((m) => 'loss' in m).map(({ time: _t, tokens_per_second: _s, ...m }) => m);
    assert(JSON.stringify(curves(twin)) === JSON.stringify(curves(job)), `same seed, different runs:\n${JSON.stringify(curves(job))}\n${JSON.stringify(curves(twin))}`);
    for (const m of train) for (const n of [...TRAIN_NAMES, ...ORPO_NAMES]) assert(typeof m[n] === 'number', `step ${m.step} has no ${n}`);
    const [chosen, rejected] = startingPolicy().orpo;
    // ORPO (TRL odds_ratio_loss): log odds = (c − r) − (log(1 − e^c) − log(1 − e^r)) of the mean answer log-probs;
    // loss = NLL of the chosen prompt+answer − λ·log σ(log odds).
    const logOdds = chosen.logp - rejected.logp - (Math.log1p(-Math.exp(chosen.logp)) - Math.log1p(-Math.exp(rejected.logp)));
    const ratio = -softplus(-logOdds);
    const s1 = train[0];
    const close = (got, want, what) => assert(Math.abs(got - want) <= 1e-4 * Math.max(1, Math.abs(want)), `step 1 ${what}: TRL logged ${got}, transformers gives ${want}`);
    close(s1['logps/chosen'], chosen.logp, 'logps/chosen');
    close(s1['logps/rejected'], rejected.logp, 'logps/rejected');
    close(s1.nll_loss, chosen.nll, 'nll_loss');
    close(s1.log_odds_chosen, logOdds, 'log_odds_chosen');
    close(s1.log_odds_ratio, ratio, 'log_odds_ratio');
    close(s1['rewards/chosen'], beta * chosen.logp, 'rewards/chosen');
    close(s1.loss, chosen.nll - beta * ratio, 'loss');
    console.log(`  step-1 loss ${s1.loss.toFixed(6)} = nll ${chosen.nll.toFixed(6)} − ${beta}·log σ(${logOdds.toFixed(4)})`);
  }],
  ['SimPO from an SFT adapter on 2 CPU processes (beta 2.0 by default): step-1 loss is softplus(γ − β·(c̄ − r̄)) of the starting policy; metrics carry our names', async () => {
    const gamma = 0.5;
    const job = handoff('simpo', { method: 'simpo', data: path.join(tmp, 'pair.jsonl'), adapter: startAdapter, steps: 2, batchSize: 2, simpoGamma: gamma });
    const r = await launch(job);
    const rec = runJson(job);
    assert(r.code === 0 && rec.status === 'completed', `exit ${r.code}, status ${rec.status}, error ${rec.error ?? '-'}`);
    const beta = rec.config.beta;
    assert(beta === 2, `beta ${beta}: SimPO's default is 2.0`);
    const train = metricsOf(job).filter((m) => 'loss' in m);
    assert(train.length === 2, `${train.length} training lines`);
    for (const m of train) for (const n of [...TRAIN_NAMES, ...DPO_NAMES]) assert(typeof m[n] === 'number', `step ${m.step} has no ${n}`);
    // Reference-free: the step-1 loss is not ln(1 + e^γ) but depends on the starting policy's (base + adapter)
    // mean answer log-probs c̄ and r̄ (TRL cpo_loss, loss_type simpo, no NLL term).
    const [chosen, rejected] = startingPolicy().simpo;
    const margin = chosen.logp - rejected.logp;
    const want = softplus(gamma - beta * margin);
    const s1 = train[0];
    const close = (got, w, what) => assert(Math.abs(got - w) <= 1e-4 * Math.max(1, Math.abs(w)), `step 1 ${what}: TRL logged ${got}, transformers gives ${w}`);
    close(s1['logps/chosen'], chosen.logp, 'logps/chosen');
    close(s1['logps/rejected'], rejected.logp, 'logps/rejected');
    close(s1['rewards/margins'], beta * margin, 'rewards/margins');
    close(s1.loss, want, 'loss');
    assert(s1.nll_loss === 0, `nll_loss ${s1.nll_loss}: pure SimPO has no NLL term (cpo_alpha 0)`);
    console.log(`  step-1 loss ${s1.loss.toFixed(6)} = softplus(${gamma} − ${beta}·${margin.toFixed(4)}); ln(1 + e^γ) = ${softplus(gamma).toFixed(6)} would need c̄ = r̄`);
  }],
];

/** The starting policies' answer log-probs for the ORPO (base) and SimPO (base + starting adapter) runs, from transformers. */
let startingLogps;
function startingPolicy() {
  if (!startingLogps) {
    const pair = JSON.parse(fs.readFileSync(path.join(tmp, 'pair.jsonl'), 'utf8').split('\n')[0]);
    const spec = (adapter) => ({ model, ...(adapter ? { adapter } : {}), prompt: pair.prompt, answers: [pair.chosen, pair.rejected] });
    const specs = [spec(), spec(startAdapter)];
    const file = path.join(tmp, 'step1-specs.json');
    fs.writeFileSync(file, JSON.stringify(specs));
    const [orpo, simpo] = pyJson('step1_logps.py', [file]);
    startingLogps = { orpo, simpo };
  }
  return startingLogps;
}


// The export stage (issue 15): transformers loads the merged hf folder; llama-cpp-python runs the GGUF.
const engineLogitsJs = path.join(root, 'out', `pylogits-${process.pid}`, 'engineLogits.js');
await bundleForNode({ entryPoints: [path.join(root, 'test/python/engineLogits.ts')], outfile: engineLogitsJs });
process.on('exit', () => fs.rmSync(path.dirname(engineLogitsJs), { recursive: true, force: true }));
const EXPORT_IDS = [0, 43, 107, 118, 35, 112, 107, 44, 72, 104, 115, 123, 35, 104, 100, 103, 35, 107, 118, 113];
const EXPORT_TEXT = 'Patient reports chest pain for 3 days; BP 140/90.';

function engineLogits(model, adapter) {
  const r = spawnSync(process.execPath, [engineLogitsJs, model, adapter ?? '-', JSON.stringify(EXPORT_IDS), EXPORT_TEXT], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  assert(r.status === 0, `engineLogits exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout);
}

function maxAbs(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a[i].length; j++) m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
  return m;
}

tests.push(
  ['export hf (f32 and bf16): transformers loads the merged folder; its log-probs equal transformers + PEFT on base + adapter', () => {
    for (const arch of ['llama', 'qwen2']) {
      const base = path.join(tmp, `export-${arch}`);
      const adapter = path.join(tmp, `export-${arch}-adapter`);
      for (const dtype of ['f32', 'bf16']) {
        const out = path.join(tmp, `export-${arch}-hf-${dtype}`);
        const r = cli(['export', '--model', base, '--adapter', adapter, '--out', out, '--format', 'hf', '--dtype', dtype]);
        assert(r.code === 0, `export exited ${r.code}: ${r.err}`);
        const j = pyJson('export_check.py', ['hf', base, adapter, out, JSON.stringify(EXPORT_IDS)]);
        console.log(`  ${arch} hf ${dtype} (${j.dtype}): max |Δ log-softmax| vs transformers + PEFT = ${j.max_abs_logprob_diff.toExponential(2)}, vs PEFT's merge_and_unload rounded to ${dtype} = ${j.max_abs_logprob_diff_vs_rounded_merge.toExponential(2)} (adapter effect ${j.adapter_effect.toFixed(3)})`);
        assert(j.dtype === (dtype === 'f32' ? 'torch.float32' : 'torch.bfloat16'), `transformers loads it as ${j.dtype}`);
        // "To the dtype's precision": our merge rounded to the dtype equals PEFT's merge rounded to it (only
        // float32 summation order differs, which can flip a rare bf16 rounding); in f32 it equals base + adapter.
        assert(j.max_abs_logprob_diff_vs_rounded_merge < 1e-3, `${arch} ${dtype}: ${j.max_abs_logprob_diff_vs_rounded_merge} vs the rounded merge`);
        if (dtype === 'f32') assert(j.max_abs_logprob_diff < 1e-4, `${arch} f32: ${j.max_abs_logprob_diff}`);
        assert(j.adapter_effect > 10 * j.max_abs_logprob_diff_vs_rounded_merge, `${arch} ${dtype}: the adapter's effect ${j.adapter_effect} is not well above the difference`);
      }
    }
  }],
  ['export gguf (f16, q8_0): llama-cpp-python loads the file; its logits match our engine; tokenizer and metadata read back', () => {
    for (const arch of ['llama', 'qwen2']) {
      const base = path.join(tmp, `export-${arch}`);
      const adapter = path.join(tmp, `export-${arch}-adapter`);
      const ours = engineLogits(base, adapter);
      const plain = engineLogits(base);
      const adapterEffect = maxAbs(ours.logprobs, plain.logprobs);
      // f16: weights and (in ggml's CPU matmul) activations are rounded to 11 significant bits: ~1e-2 here.
      // q8_0: weights and activations are quantised to 8 bits per 32-value block (up to 0.4 % of each block's
      // max) in every matmul; this model's logits span > 10 (the adapter alone moves log-probs by 3.7), so
      // ~0.2. A wrong tensor name, permutation or scale moves them by the order of the adapter's effect.
      for (const [quant, tol] of [[undefined, 0.02], ['q8_0', 0.25]]) {
        const out = path.join(tmp, `export-${arch}-gguf-${quant ?? 'f16'}`);
        const r = cli(['export', '--model', base, '--adapter', adapter, '--out', out, '--format', 'gguf', ...(quant ? ['--quant', quant] : [])]);
        assert(r.code === 0, `export exited ${r.code}: ${r.err}`);
        const file = fs.readdirSync(out).find((f) => f.endsWith('.gguf'));
        assert(file && fs.existsSync(path.join(out, 'Modelfile')), `no .gguf or Modelfile in ${out}: ${fs.readdirSync(out)}`);
        const j = pyJson('export_check.py', ['gguf', path.join(out, file), JSON.stringify(EXPORT_IDS), EXPORT_TEXT]);
        const d = maxAbs(j.logprobs, ours.logprobs);
        console.log(`  ${arch} gguf ${quant ?? 'f16'}: max |Δ log-softmax| vs our engine = ${d.toExponential(2)} over ${EXPORT_IDS.length} positions × ${ours.logprobs[0].length} tokens (adapter effect ${adapterEffect.toFixed(3)})`);
        assert(d < tol, `${arch} ${quant ?? 'f16'}: ${d} >= ${tol}`);
        assert(adapterEffect > 10 * d, `${arch}: the adapter's effect ${adapterEffect} is not well above the difference ${d}`);
        assert(JSON.stringify(j.tokens) === JSON.stringify(ours.tokens), `${arch}: llama.cpp tokenizes ${JSON.stringify(j.tokens)}, ours ${JSON.stringify(ours.tokens)}`);
        const m = j.metadata;
        assert(m['general.architecture'] === arch, `general.architecture ${m['general.architecture']}`);
        assert(m[`${arch}.block_count`] === 2 && m[`${arch}.attention.head_count_kv`] === 2 && m[`${arch}.embedding_length`] === 64, `hyper-parameters: ${JSON.stringify(m)}`);
        assert(m['tokenizer.ggml.model'] === 'gpt2' && m['tokenizer.ggml.bos_token_id'] === 0 && m['tokenizer.ggml.eos_token_id'] === 1, 'tokenizer metadata');
        assert(typeof m['tokenizer.chat_template'] === 'string' && m['tokenizer.chat_template'].includes('message'), 'chat template');
        const wantType = quant ? 'Q8_0' : 'F16';
        assert(j.tensor_types['blk.0.attn_q.weight'] === wantType && j.tensor_types['blk.0.attn_norm.weight'] === 'F32', `tensor types ${JSON.stringify(j.tensor_types)}`);
      }
    }
  }],
);

// node test/python/run.mjs [name substring...] (or PY_GREP=<substring>): only the tests whose names contain one of them.
const only = [...process.argv.slice(2), ...(process.env.PY_GREP ? [process.env.PY_GREP] : [])];
if (only.length) tests.splice(0, tests.length, ...tests.filter(([name]) => only.some((o) => name.includes(o))));

let passed = 0;
let failed = 0;
const t0 = Date.now();
for (const [name, fn] of tests) {
  const t = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok - ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)\n  ${e instanceof Error ? e.message : String(e)}`);
  }
}
if (failed === 0) fs.rmSync(tmp, { recursive: true, force: true });
else console.log(`python stage: folders kept for inspection in ${tmp}`);
console.log(`python stage wall time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
