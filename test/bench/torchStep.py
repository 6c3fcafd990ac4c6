# PyTorch CPU reference for the scale benchmark: the same Llama/Qwen2 shape and the same step as the engine
# (forward, backward w.r.t. LoRA r on q/v only, AdamW update) on random float32 weights. Prints one JSON line.
# usage: python torchStep.py SHAPE_JSON BATCH SEQ STEPS THREADS
import json, math, resource, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

s = json.loads(sys.argv[1]); B = int(sys.argv[2]); T = int(sys.argv[3]); steps = int(sys.argv[4]); threads = int(sys.argv[5])
torch.set_num_threads(threads)
torch.manual_seed(0)
H, L, nh, nkv, I, V = s['hidden'], s['layers'], s['heads'], s['kvHeads'], s['intermediate'], s['vocab']
hd = H // nh
r, alpha = 8, 16

def frozen(o, i):
    return nn.Parameter(torch.randn(o, i) * 0.02, requires_grad=False)

class Lora(nn.Module):
    def __init__(self, o, i):
        super().__init__()
        self.w = frozen(o, i)
        self.a = nn.Parameter(torch.randn(r, i) / math.sqrt(i))
        self.b = nn.Parameter(torch.zeros(o, r))
    def forward(self, x):
        return F.linear(x, self.w) + F.linear(F.linear(x, self.a), self.b) * (alpha / r)

class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        bias = s['architecture'] == 'Qwen2ForCausalLM'
        self.q = Lora(nh * hd, H); self.v = Lora(nkv * hd, H)
        self.k = frozen(nkv * hd, H); self.o = frozen(H, nh * hd)
        self.bq = nn.Parameter(torch.zeros(nh * hd), requires_grad=False) if bias else None
        self.g = frozen(I, H); self.u = frozen(I, H); self.d = frozen(H, I)
        self.n1 = nn.Parameter(torch.ones(H), requires_grad=False); self.n2 = nn.Parameter(torch.ones(H), requires_grad=False)

def rms(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * w

def rope(x, cos, sin):
    x1, x2 = x[..., : hd // 2], x[..., hd // 2 :]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1)

emb = frozen(V, H)
layers = nn.ModuleList([Layer() for _ in range(L)])
norm = torch.ones(H)
inv = 1.0 / (s['ropeTheta'] ** (torch.arange(0, hd, 2).float() / hd))
ang = torch.arange(T).float()[:, None] * inv[None]
cos, sin = ang.cos(), ang.sin()

causal = torch.full((T, T), float('-inf')).triu(1)

def attend(q, k, v):
    # torch ≥ 2.0 has the fused kernel; Debian's 1.13 computes it by hand.
    if hasattr(F, 'scaled_dot_product_attention'):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + causal, -1) @ v

def loss_fn(ids):
    x = F.embedding(ids, emb)
    for l in layers:
        h = rms(x, l.n1)
        q = l.q(h)
        if l.bq is not None: q = q + l.bq
        q = rope(q.view(B, T, nh, hd).transpose(1, 2), cos, sin)
        k = rope(F.linear(h, l.k).view(B, T, nkv, hd).transpose(1, 2), cos, sin)
        v = l.v(h).view(B, T, nkv, hd).transpose(1, 2)
        k = k.repeat_interleave(nh // nkv, 1); v = v.repeat_interleave(nh // nkv, 1)
        a = attend(q, k, v).transpose(1, 2).reshape(B, T, nh * hd)
        x = x + F.linear(a, l.o)
        h = rms(x, l.n2)
        x = x + F.linear(F.silu(F.linear(h, l.g)) * F.linear(h, l.u), l.d)
    logits = F.linear(rms(x, norm)[:, :-1], emb)
    return F.cross_entropy(logits.reshape(-1, V).float(), ids[:, 1:].reshape(-1))

params = [p for p in layers.parameters() if p.requires_grad]
opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
ids = torch.randint(3, 259, (B, T))
times = []
cpu0 = time.process_time()
for i in range(steps + 1):
    if i == 1: cpu0 = time.process_time()
    t = time.perf_counter()
    opt.zero_grad(); loss = loss_fn(ids); loss.backward(); opt.step()
    times.append(time.perf_counter() - t)
cpu = time.process_time() - cpu0
step = sum(times[1:]) / steps
print(json.dumps({'side': 'pytorch', 'torch': torch.__version__, 'threads': threads, 'stepSeconds': step, 'tokensPerSecond': B * T / step,
                  'tokensPerCpuSecond': B * T * steps / cpu, 'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
