// train.py of a handoff job folder (TRL + PEFT under accelerate launch), written verbatim by writeJob.ts.
// String.raw, so the Python reads exactly as it runs (no escapes to undo); it must contain no backtick.
export const TRAIN_PY = String.raw`#!/usr/bin/env python3
"""clinical-ft TRL job: LoRA SFT, DPO, KTO, ORPO or SimPO with TRL + PEFT under "accelerate launch".

Written by "clinical-ft handoff". Reads trl_config.yaml beside this file and keeps the clinical-ft run
folder contract in the output folder (default: this folder): run.json (status), metrics.jsonl (the
built-in engine's metric names, rank 0, one fsynced line per log), trainer.log, checkpoints/ and the
final PEFT adapter in adapter/. SIGTERM (to the launch group) stops all ranks after the same step with a
checkpoint and status "cancelled"; --resume continues from the last checkpoint (TRL resume_from_checkpoint).
"""
import argparse
import datetime
import json
import math
import os
import signal
import socket
import sys
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ALPACA_WITH_INPUT = (
    "Below is an instruction that describes a task, paired with an input that provides further context. "
    "Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n"
    "### Input:\n{input}\n\n### Response:\n"
)
ALPACA_WITHOUT_INPUT = (
    "Below is an instruction that describes a task. Write a response that appropriately completes the "
    "request.\n\n### Instruction:\n{instruction}\n\n### Response:\n"
)
# TRL log keys that are bookkeeping, not curves.
DROPPED_KEYS = {"total_flos", "train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss",
                "eval_runtime", "eval_samples_per_second", "eval_steps_per_second"}


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def write_atomic(path, text):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def append_durable(path, line):
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())


def lock_record():
    """trainer.lock as the extension reads it (src/core/runLock.ts): the pid, a random token, and the process
    start stamp (/proc/PID/stat starttime) that proves after a window reload that this pid is still the trainer."""
    rec = {"pid": os.getpid(), "token": os.urandom(16).hex(), "startedAt": now_iso(), "host": socket.gethostname()}
    try:
        with open(f"/proc/{os.getpid()}/stat", encoding="utf-8") as f:
            stat = f.read()
        rec["processStart"] = stat[stat.rindex(")") + 1:].split()[19]
    except (OSError, ValueError, IndexError):
        pass  # no /proc (macOS, Windows): without the stamp the extension does not take this pid for the trainer
    return rec


class RunFolder:
    """run.json, metrics.jsonl, trainer.log and trainer.lock, written by rank 0 only."""

    def __init__(self, out, record, active):
        self.out, self.active = out, active
        self.record = dict(record)
        if active:
            os.makedirs(out, exist_ok=True)
            write_atomic(os.path.join(out, "trainer.lock"), json.dumps(lock_record()) + "\n")

    def update(self, **patch):
        self.record.update(patch)
        if self.active:
            write_atomic(os.path.join(self.out, "run.json"), json.dumps(self.record, indent=2) + "\n")

    def log(self, level, message):
        if self.active:
            with open(os.path.join(self.out, "trainer.log"), "a", encoding="utf-8") as f:
                f.write(f"{now_iso()} {level.upper():<5} {message}\n")
            print(f"{level}: {message}", file=sys.stderr, flush=True)

    def metrics(self, record):
        if self.active:
            append_durable(os.path.join(self.out, "metrics.jsonl"), json.dumps(record))

    def truncate_metrics_after(self, step):
        path = os.path.join(self.out, "metrics.jsonl")
        if not self.active or not os.path.exists(path):
            return
        kept = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    r = json.loads(line)
                except ValueError:
                    continue  # a torn last line
                if isinstance(r, dict) and isinstance(r.get("step"), int) and r["step"] <= step:
                    kept.append(json.dumps(r) + "\n")
        write_atomic(path, "".join(kept))

    def release(self):
        if self.active:
            try:
                os.remove(os.path.join(self.out, "trainer.lock"))
            except FileNotFoundError:
                pass


def read_jsonl(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except ValueError as e:
                    raise SystemExit(f"{path}:{n}: not JSON ({e}); run clinical-ft validate on it")
    return rows


def as_messages(x, role):
    return x if isinstance(x, list) else [{"role": role, "content": x}]


def sft_row(r, has_template):
    """One of our SFT records as a TRL dataset row (the same text and trained span as the built-in engine)."""
    if "text" in r:
        return {"text": r["text"]}
    if "instruction" in r:
        user = f"{r['instruction']}\n\n{r['input']}" if r.get("input") else r["instruction"]
        if has_template:
            return {"prompt": [{"role": "user", "content": user}], "completion": [{"role": "assistant", "content": r["output"]}]}
        t = ALPACA_WITH_INPUT if r.get("input") else ALPACA_WITHOUT_INPUT
        return {"prompt": t.replace("{instruction}", r["instruction"]).replace("{input}", r.get("input") or ""), "completion": r["output"]}
    if "messages" in r:
        m = r["messages"]
        if m and m[-1]["role"] == "assistant":
            # Loss on the final assistant turn (TRL's completion-only loss); earlier turns are context.
            return {"prompt": m[:-1], "completion": m[-1:]}
        return {"messages": m}
    p, c = r["prompt"], r["completion"]
    if isinstance(p, list) or isinstance(c, list):
        return {"prompt": as_messages(p, "user"), "completion": as_messages(c, "assistant")}
    return {"prompt": p, "completion": c}


def kto_row(r):
    """An unpaired example; the job folder holds the rows the built-in engine's loader made (pairs already unpaired)."""
    p, c = r["prompt"], r["completion"]
    if isinstance(p, list) or isinstance(c, list):
        return {"prompt": as_messages(p, "user"), "completion": as_messages(c, "assistant"), "label": bool(r["label"])}
    return {"prompt": p, "completion": c, "label": bool(r["label"])}


def dpo_row(r):
    if "prompt" in r:
        p, c, j = r["prompt"], r["chosen"], r["rejected"]
        if isinstance(p, list) or isinstance(c, list) or isinstance(j, list):
            return {"prompt": as_messages(p, "user"), "chosen": as_messages(c, "assistant"), "rejected": as_messages(j, "assistant")}
        return {"prompt": p, "chosen": c, "rejected": j}
    return {"chosen": r["chosen"], "rejected": r["rejected"]}


def load_dataset_file(path, method, has_template):
    from datasets import Dataset

    rows = read_jsonl(path)
    row = {"sft": lambda r: sft_row(r, has_template), "kto": kto_row}.get(method, dpo_row)  # dpo, orpo, simpo: pairs
    conv = [row(r) for r in rows]
    kinds = {tuple(sorted(k)) for k in conv}
    if len(kinds) > 1:
        raise SystemExit(f"{path}: mixes record formats {sorted(kinds)}; TRL needs one format per file")
    return Dataset.from_list(conv)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", default=os.path.join(HERE, "trl_config.yaml"))
    ap.add_argument("--out", default=None, help="run folder (default: the job folder)")
    ap.add_argument("--resume", action="store_true", help="continue from the last checkpoint in OUT/checkpoints")
    args = ap.parse_args()
    with open(args.config, encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    base = os.path.dirname(os.path.abspath(args.config))
    out = os.path.abspath(args.out or base)

    def job_path(p):
        return p if os.path.isabs(p) else os.path.join(base, p)

    import torch
    from accelerate import PartialState

    state = PartialState()
    rank0 = state.is_main_process
    method = cfg["method"]
    run_cfg = cfg["run"]
    ckpt_dir = os.path.join(out, "checkpoints")
    previous = {}
    if args.resume and os.path.exists(os.path.join(out, "run.json")):
        with open(os.path.join(out, "run.json"), encoding="utf-8") as f:
            previous = json.load(f)
        if previous.get("status") == "running" and rank0:
            lock = os.path.join(out, "trainer.lock")
            pid = None
            if os.path.exists(lock):
                with open(lock, encoding="utf-8") as f:
                    pid = json.load(f).get("pid")
            alive = False
            if isinstance(pid, int):
                try:
                    os.kill(pid, 0)
                    alive = True
                except OSError:
                    alive = False
            if alive:
                raise SystemExit(f"{out}: its trainer (pid {pid}) is still running")
    elif not args.resume and os.path.exists(os.path.join(out, "metrics.jsonl")):
        raise SystemExit(f"{out} already holds a run; pass --resume to continue it or choose another --out")
    state.wait_for_everyone()

    import accelerate
    import peft
    import transformers
    import trl

    versions = {"python": sys.version.split()[0], "torch": torch.__version__, "transformers": transformers.__version__,
                "trl": trl.__version__, "peft": peft.__version__, "accelerate": accelerate.__version__}
    run = RunFolder(out, {
        "id": os.path.basename(out), "config": run_cfg, "status": "running", "versions": versions,
        "startedAt": previous.get("startedAt") or now_iso(), "pid": os.getpid(),
        **({"lastCheckpoint": previous["lastCheckpoint"]} if "lastCheckpoint" in previous else {}),
    }, rank0)
    run.update(numProcesses=state.num_processes, device=str(state.device))
    try:
        status, step = train(cfg, method, out, ckpt_dir, args.resume, run, state, job_path)
    except BaseException as e:  # recorded in run.json whatever it is, then re-raised for the exit code
        run.log("error", f"{type(e).__name__}: {e}")
        run.update(status="failed", endedAt=now_iso(), error=f"{type(e).__name__}: {e}")
        run.release()
        raise
    run.update(status=status, endedAt=now_iso())
    run.release()
    if status == "cancelled":
        run.log("info", f"Cancelled at step {step}; checkpoint saved, resume with launch.sh --resume")


class StopOnSignal:
    """SIGTERM/SIGINT set a flag; ranks agree on it after every step, so all stop after the same step."""

    def __init__(self):
        self.requested = False
        signal.signal(signal.SIGTERM, self._on)
        signal.signal(signal.SIGINT, self._on)

    def _on(self, signum, frame):
        self.requested = True

    def agreed(self, device):
        import torch
        import torch.distributed as dist

        flag = torch.tensor([1.0 if self.requested else 0.0], device=device)
        if dist.is_available() and dist.is_initialized():
            dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        return bool(flag.item() > 0)


def restore_cpu_checkpoints(torch):
    """Multi-process CPU ranks run on device "cpu:0"; transformers 4.53 resumes with map_location=that device,
    which torch.load cannot restore ("don't know how to restore data location ... cpu:0"). Map it to "cpu"."""
    original = torch.load

    def load(*args, **kwargs):
        loc = kwargs.get("map_location")
        if loc is not None and str(loc).startswith("cpu"):
            kwargs["map_location"] = "cpu"
        return original(*args, **kwargs)

    torch.load = load


# The attention masks of one training batch, with how often each sequence is run, per method (TRL's batch keys):
# DPO's prompt goes with both answers; KTO runs each completion and its mismatched KL row (as the built-in
# engine counts); ORPO's and CPO's chosen/rejected rows already hold their prompt.
TOKEN_MASKS = {
    "dpo": {"prompt_attention_mask": 2, "chosen_attention_mask": 1, "rejected_attention_mask": 1},
    "kto": {"completion_attention_mask": 1, "KL_completion_attention_mask": 1},
    "orpo": {"chosen_attention_mask": 1, "rejected_attention_mask": 1},
    "simpo": {"chosen_attention_mask": 1, "rejected_attention_mask": 1},
}


def counting_trainer(base, masks):
    """TRL's preference trainers do not log num_tokens: count the tokens each step processes, over all ranks."""

    class CountingTrainer(base):
        ct_tokens = 0

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            present = [(inputs[k], w) for k, w in masks.items() if k in inputs]
            if present:
                n = sum(m.sum() * w for m, w in present)
                self.ct_tokens += int(self.accelerator.gather(n.reshape(1)).sum().item())
            return super().compute_loss(model, inputs, return_outputs=return_outputs, num_items_in_batch=num_items_in_batch)

        def log(self, logs, start_time=None):
            if "loss" in logs:
                logs["num_tokens"] = float(self.ct_tokens)
            super().log(logs, start_time)

    CountingTrainer.__name__ = f"Counting{base.__name__}"
    return CountingTrainer


def train(cfg, method, out, ckpt_dir, resume, run, state, job_path):
    import torch
    from peft import LoraConfig, PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    import trl

    model_cfg = cfg["model"]
    stopper = StopOnSignal()
    if state.device.type == "cpu" and state.num_processes > 1:
        restore_cpu_checkpoints(torch)
    model_path = job_path(model_cfg["path"])
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    load_kwargs = {"torch_dtype": getattr(torch, model_cfg.get("dtype", "float32"))}
    if model_cfg.get("load_in_4bit"):
        if not torch.cuda.is_available():
            raise SystemExit("loadIn4bit (QLoRA) needs a CUDA GPU; this machine has none")
        from transformers import BitsAndBytesConfig

        load_kwargs["quantization_config"] = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                                                                bnb_4bit_compute_dtype=torch.bfloat16)
    model = AutoModelForCausalLM.from_pretrained(model_path, **load_kwargs)
    if model_cfg.get("load_in_4bit"):
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model)
    peft_config = LoraConfig(**cfg["lora"])
    start_adapter = model_cfg.get("adapter")
    if start_adapter and method != "sft":
        # As the built-in engine: the SFT adapter becomes part of the policy (and of the reference for DPO and KTO);
        # a new adapter trains on top.
        model = PeftModel.from_pretrained(model, job_path(start_adapter)).merge_and_unload()
        run.log("info", f"Merged starting adapter {start_adapter} into the base; a new adapter trains on top of it")
    elif start_adapter:
        model = PeftModel.from_pretrained(model, job_path(start_adapter), is_trainable=True)
        peft_config = None
        run.log("info", f"Continuing training of adapter {start_adapter}")

    has_template = bool(getattr(tokenizer, "chat_template", None))
    data = cfg["data"]
    train_ds = load_dataset_file(job_path(data["train"]), method, has_template)
    eval_ds = load_dataset_file(job_path(data["eval"]), method, has_template) if data.get("eval") else None
    targs = dict(cfg["training"])
    targs["output_dir"] = ckpt_dir
    if eval_ds is None:
        targs["eval_strategy"] = "no"

    metric_names = set(cfg.get("metric_names", []))

    class ClinicalFtCallback(TrainerCallback):
        """Our metrics.jsonl, run.json progress, and the agreed stop on SIGTERM."""

        def __init__(self):
            self.last_tokens, self.last_time = None, None
            self.stopped_at = None

        def on_train_begin(self, args, st, control, **kw):
            run.update(totalSteps=st.max_steps)
            self.last_time = time.time()

        def on_step_end(self, args, st, control, **kw):
            if stopper.agreed(args.device):
                control.should_training_stop = True
                control.should_save = True
                self.stopped_at = st.global_step
            return control

        def on_log(self, args, st, control, logs=None, **kw):
            if not st.is_world_process_zero or not logs:
                return
            rec = {"step": int(st.global_step), "epoch": round(float(st.epoch or 0.0), 4), "time": now_iso()}
            for k, v in logs.items():
                if k in DROPPED_KEYS or not isinstance(v, (int, float)) or isinstance(v, bool):
                    continue
                rec[k] = None if (isinstance(v, float) and not math.isfinite(v)) else float(v)
            if "loss" in rec:
                now = time.time()
                tokens = rec.get("num_tokens")
                if tokens is not None and self.last_tokens is not None:
                    rec["tokens_per_second"] = (tokens - self.last_tokens) / max(1e-3, now - self.last_time)
                elif tokens is not None:
                    rec["tokens_per_second"] = tokens / max(1e-3, now - self.last_time)
                self.last_tokens, self.last_time = tokens, now
            elif not any(k.startswith("eval_") for k in rec):
                return
            missing = [n for n in metric_names if "loss" in rec and n not in rec]
            if missing:
                run.log("warn", f"step {rec['step']}: TRL did not log {missing}")
            run.metrics(rec)

        def on_save(self, args, st, control, **kw):
            if st.is_world_process_zero:
                run.update(lastCheckpoint=int(st.global_step))
                run.log("info", f"checkpoint step {st.global_step} saved to {ckpt_dir}/checkpoint-{st.global_step}")

    callback = ClinicalFtCallback()
    # TRL's trainers add the LoRA adapter before transformers' Trainer seeds the RNGs: seed first, so the same seed
    # starts from the same adapter (our run config's "same seed, same run").
    from transformers import set_seed

    set_seed(targs["seed"])
    # The classes come from the job config (TRL_CLASSES in the generator): SimPO is CPOTrainer with loss_type "simpo".
    trainer_cls, args_obj = getattr(trl, cfg["trl"]["trainer"]), getattr(trl, cfg["trl"]["config"])(**targs)
    if method in TOKEN_MASKS:
        trainer_cls = counting_trainer(trainer_cls, TOKEN_MASKS[method])
    trainer = trainer_cls(model=model, args=args_obj, train_dataset=train_ds, eval_dataset=eval_ds,
                          processing_class=tokenizer, peft_config=peft_config, callbacks=[callback])

    resume_from = None
    if resume:
        from transformers.trainer_utils import get_last_checkpoint

        resume_from = get_last_checkpoint(ckpt_dir) if os.path.isdir(ckpt_dir) else None
        step = int(resume_from.rsplit("-", 1)[1]) if resume_from else 0
        run.truncate_metrics_after(step)
        run.log("info", f"Resuming from {resume_from}" if resume_from else "No checkpoint to resume from: starting from step 0")
    run.log("info", f"{'Resuming' if resume else 'Starting'} {method.upper()} (TRL {__import__('trl').__version__}) on "
            f"{len(train_ds)} examples, {state.num_processes} process(es) on {state.device}")
    trainer.train(resume_from_checkpoint=resume_from)
    step = trainer.state.global_step
    # The stop all ranks agreed on (a signal after the last step changes nothing: the run is complete).
    if callback.stopped_at is not None and step < trainer.state.max_steps:
        return "cancelled", step
    eval_every = targs.get("eval_steps")
    if eval_ds is not None and cfg.get("eval_at_end") and (not eval_every or step % eval_every != 0):
        trainer.evaluate()  # as the built-in engine: eval at the end unless the last step just did
    state.wait_for_everyone()
    trainer.save_model(os.path.join(out, "adapter"))
    if state.is_main_process:
        with open(os.path.join(out, "adapter", "adapter_config.json"), encoding="utf-8") as f:
            ac = json.load(f)
        ac["base_model_name_or_path"] = cfg["run"]["model"]
        write_atomic(os.path.join(out, "adapter", "adapter_config.json"), json.dumps(ac, indent=2) + "\n")
    run.log("info", f"Completed {step} steps; adapter saved to {os.path.join(out, 'adapter')}")
    return "completed", step


if __name__ == "__main__":
    main()
`;
