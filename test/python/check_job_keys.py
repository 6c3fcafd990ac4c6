"""Every key a handoff job folder sets must be defined by the pinned libraries themselves.

Usage: python check_job_keys.py JOB_DIR...  (unittest output; exit 1 on any unknown key)
- trl_config.yaml `training`: fields of the config class the job names in `trl` (trl.SFTConfig, DPOConfig,
  KTOConfig, ORPOConfig, CPOConfig: dataclasses over TrainingArguments), and `trl.trainer` is a TRL trainer;
  CPU jobs are also constructed, so values must be accepted, not only names.
- `lora`: fields of peft.LoraConfig, and LoraConfig(**lora) must construct.
- accelerate.yaml: fields of accelerate's ClusterConfig; deepspeed_config / fsdp_config keys are merged by
  `accelerate launch` into its own arguments, so each must be a destination of accelerate's launch parser.
"""
import dataclasses
import os
import sys
import tempfile
import unittest

import yaml

JOBS = sys.argv[1:]


class JobKeys(unittest.TestCase):
    def test_jobs(self):
        from accelerate.commands.config.config_args import ClusterConfig
        from accelerate.commands.launch import launch_command_parser
        import trl
        from peft import LoraConfig
        from transformers import Trainer, TrainingArguments

        self.assertTrue(JOBS, "no job folders given")
        launch_dests = {a.dest for a in launch_command_parser()._actions}
        cluster_fields = {f.name for f in dataclasses.fields(ClusterConfig)}
        lora_fields = {f.name for f in dataclasses.fields(LoraConfig)}
        for job in JOBS:
            with self.subTest(job=job):
                with open(os.path.join(job, "trl_config.yaml"), encoding="utf-8") as f:
                    cfg = yaml.safe_load(f)
                cls = getattr(trl, cfg["trl"]["config"])
                self.assertTrue(issubclass(cls, TrainingArguments), f"{job}: {cls.__name__} is not a TRL config")
                self.assertTrue(issubclass(getattr(trl, cfg["trl"]["trainer"]), Trainer), f"{job}: {cfg['trl']['trainer']}")
                fields = {f.name for f in dataclasses.fields(cls)}
                unknown = sorted(set(cfg["training"]) - fields)
                self.assertEqual(unknown, [], f"{job}: training keys not in {cls.__name__}")
                self.assertEqual(sorted(set(cfg["lora"]) - lora_fields), [], f"{job}: lora keys not in LoraConfig")
                LoraConfig(**cfg["lora"])
                if cfg["training"].get("use_cpu"):
                    with tempfile.TemporaryDirectory() as tmp:
                        cls(output_dir=tmp, **cfg["training"])
                with open(os.path.join(job, "accelerate.yaml"), encoding="utf-8") as f:
                    acc = yaml.safe_load(f)
                self.assertEqual(sorted(set(acc) - cluster_fields), [], f"{job}: accelerate.yaml keys not in ClusterConfig")
                for nested in ("deepspeed_config", "fsdp_config"):
                    unknown = sorted(set(acc.get(nested) or {}) - launch_dests)
                    self.assertEqual(unknown, [], f"{job}: {nested} keys unknown to accelerate launch")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
