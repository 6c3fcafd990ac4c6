"""The real tokenizers and chat templates as the Hugging Face libraries apply them (the judge for the engine's
@huggingface/tokenizers + @huggingface/jinja wrappers). Reads JSON on stdin:
{"folders": {family: dir}, "texts": [str], "conversations": [{"messages": [...], "add_generation_prompt": bool}]}
and prints {"versions": {...}, family: {"ids": [[...]], "ids_with_specials": [[...]], "rendered": [str]}}.
ids come from the `tokenizers` library (tokenizer.json alone); renderings from transformers' apply_chat_template."""
import json
import sys

import tokenizers
import transformers
from transformers import AutoTokenizer

req = json.load(sys.stdin)
out = {"versions": {"tokenizers": tokenizers.__version__, "transformers": transformers.__version__}}
for family, folder in req["folders"].items():
    tok = tokenizers.Tokenizer.from_file(f"{folder}/tokenizer.json")
    hf = AutoTokenizer.from_pretrained(folder)
    out[family] = {
        "ids": [tok.encode(t, add_special_tokens=False).ids for t in req["texts"]],
        "ids_with_specials": [tok.encode(t, add_special_tokens=True).ids for t in req["texts"]],
        "rendered": [hf.apply_chat_template(c["messages"], tokenize=False, add_generation_prompt=c["add_generation_prompt"])
                     for c in req["conversations"]],
    }
json.dump(out, sys.stdout)
