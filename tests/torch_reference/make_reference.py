#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes tests/torch_reference/reference_values.hpp: reference values computed by PyTorch
(an independent framework) for tests/unit/torch_reference.cpp.

Usage (from anywhere; needs torch, any 1.10+ version):
    python3 tests/torch_reference/make_reference.py [output.hpp]

Everything is deterministic (fixed seeds, CPU, one thread), in float64 and in float32.
For each topology the script writes the parameters (ctnn's flat order: per layer W row by row,
W[j][i] = torch Linear.weight[j][i], then b), a batch of inputs and targets, the forward outputs,
and for each loss the batch-mean loss, its gradient with respect to the parameters (flat order)
and with respect to the inputs (torch's x.grad of the batch-mean loss). Then it runs three steps
of every optimiser from torch.optim on one of the problems (the gradient recomputed at each step)
and records the parameters after each step.
"""

import math
import os
import sys

import torch
import torch.nn.functional as F

torch.set_num_threads(1)

# ---------------------------------------------------------------------------------------------
# Topologies: (name, widths, activations per layer). Activations by ctnn name; the C++ test
# spells the same network with ctnn types.
# ---------------------------------------------------------------------------------------------
ACT = {
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": F.relu,
    "softmax": lambda z: torch.softmax(z, dim=1),
    "elu_half": lambda z: F.elu(z, alpha=0.5),             # ctnn::elu<1, 2>
    "gelu_tanh": lambda z: F.gelu(z, approximate="tanh"),  # ctnn::gelu
    "leaky_tenth": lambda z: F.leaky_relu(z, 0.1),         # ctnn::leaky_relu<1, 10>
    "softplus": F.softplus,                                # ctnn::softplus (torch threshold 20 unused)
}
KINKED = {"relu", "leaky_tenth"}  # activations with a kink at 0: pre-activations must stay clear

TOPOLOGIES = [
    # name, widths, activations, batch size, seed
    ("a", [3, 4, 2], ["tanh", "sigmoid"], 4, 11),
    ("b", [4, 5, 3], ["relu", "softmax"], 3, 88),
    ("c", [2, 3, 3, 3, 1], ["elu_half", "gelu_tanh", "leaky_tenth", "softplus"], 2, 21),
]

HUBER_DELTA = {"a": 0.3, "b": 0.25, "c": 1.0}


def make_problem(name, widths, acts, batch, seed):
    """Weights, inputs and targets, generated in float64 (the float32 problem is them rounded)."""
    g = torch.Generator().manual_seed(seed)
    ws, bs = [], []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        bound = 1.5 / math.sqrt(fan_in)
        ws.append((torch.rand(fan_out, fan_in, generator=g, dtype=torch.float64) * 2 - 1) * bound)
        bs.append((torch.rand(fan_out, generator=g, dtype=torch.float64) * 2 - 1) * 0.5)
    x = (torch.rand(batch, widths[0], generator=g, dtype=torch.float64) * 2 - 1) * 1.5
    n_out = widths[-1]
    if name == "a":    # targets in (0, 1): BCE with soft targets, regression losses
        targets = {"y": torch.rand(batch, n_out, generator=g, dtype=torch.float64)}
    elif name == "b":  # one-hot and probability targets for cross-entropy
        classes = torch.randint(0, n_out, (batch,), generator=g)
        soft = torch.softmax(torch.randn(batch, n_out, generator=g, dtype=torch.float64) * 2, 1)
        targets = {"y": F.one_hot(classes, n_out).to(torch.float64), "ysoft": soft}
    else:              # real-valued regression targets
        targets = {"y": torch.randn(batch, n_out, generator=g, dtype=torch.float64) * 2}
    return ws, bs, x, targets


def forward(ws, bs, x, acts):
    """Returns the output a and the output layer's pre-activation z, checking the kinks."""
    a = x
    z = None
    for w, b, act in zip(ws, bs, acts):
        z = F.linear(a, w, b)
        if act in KINKED:
            assert z.detach().abs().min().item() > 1e-2, "pre-activation too close to a kink"
        a = ACT[act](z)
    return a, z


# Loss name -> (target key, function of (output a, logits z, target)) with reduction='mean'.
def losses_for(name):
    d = HUBER_DELTA[name]
    regression = {
        "mse": ("y", lambda a, z, y: F.mse_loss(a, y)),
        "mae": ("y", lambda a, z, y: F.l1_loss(a, y)),
        "huber": ("y", lambda a, z, y: F.huber_loss(a, y, delta=d)),
    }
    if name == "a":
        return {**regression,
                "bce": ("y", lambda a, z, y: F.binary_cross_entropy_with_logits(z, y))}
    if name == "b":
        return {"ce": ("y", lambda a, z, y: F.cross_entropy(z, y)),       # probability targets
                "ce_soft": ("ysoft", lambda a, z, y: F.cross_entropy(z, y)),
                "mse": ("y", lambda a, z, y: F.mse_loss(a, y)),
                "huber": ("y", lambda a, z, y: F.huber_loss(a, y, delta=d))}
    return regression


def check_loss_kinks(loss, a, y, delta):
    """mae and huber have kinks at d = 0 and |d| = delta: keep the residuals clear of them."""
    d = (a - y).detach().abs()
    if loss == "mae":
        assert d.min().item() > 1e-3
    if loss == "huber":
        assert (d - delta).abs().min().item() > 1e-3


def leaves(ws, bs, dtype):
    params = []
    for w, b in zip(ws, bs):
        params.append(w.to(dtype).clone().requires_grad_(True))
        params.append(b.to(dtype).clone().requires_grad_(True))
    return params


def flat(tensors):
    return torch.cat([t.detach().reshape(-1) for t in tensors])


# Optimisers: (name, torch constructor) run for STEPS steps on problem OPT_PROBLEM.
OPTIMIZERS = [
    ("sgd", lambda p: torch.optim.SGD(p, lr=0.1)),
    ("sgd_momentum", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("sgd_dampening", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.8, dampening=0.1)),
    ("sgd_nesterov", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
    ("adam", lambda p: torch.optim.Adam(p, lr=0.01)),
    ("adam_l2", lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1)),
    ("adamw", lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)),
    ("rmsprop", lambda p: torch.optim.RMSprop(p, lr=0.01)),
    ("rmsprop_momentum",
     lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.9, weight_decay=0.05)),
    ("adagrad", lambda p: torch.optim.Adagrad(p, lr=0.1)),
    ("adagrad_decay", lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.05)),
]
OPT_PROBLEMS = [("a", "mse"), ("b", "ce")]
STEPS = 3


def compute(dtype):
    """Returns [(name, list of floats)] for one dtype."""
    out = []
    for name, widths, acts, batch, seed in TOPOLOGIES:
        ws, bs, x64, targets = make_problem(name, widths, acts, batch, seed)
        params = leaves(ws, bs, dtype)
        x = x64.to(dtype)
        out.append((f"{name}_params", flat(params)))
        out.append((f"{name}_x", x.reshape(-1)))
        for key, y in targets.items():
            out.append((f"{name}_{key}", y.to(dtype).reshape(-1)))
        a, _ = forward(params[0::2], params[1::2], x, acts)
        out.append((f"{name}_out", a.detach().reshape(-1)))
        for loss, (key, fn) in losses_for(name).items():
            params = leaves(ws, bs, dtype)
            xg = x.clone().requires_grad_(True)
            y = targets[key].to(dtype)
            a, z = forward(params[0::2], params[1::2], xg, acts)
            check_loss_kinks(loss, a, y, HUBER_DELTA[name])
            value = fn(a, z, y)
            value.backward()
            out.append((f"{name}_{loss}_loss", value.detach().reshape(1)))
            out.append((f"{name}_{loss}_grad", flat([p.grad for p in params])))
            out.append((f"{name}_{loss}_dx", xg.grad.reshape(-1)))
    for prob, loss in OPT_PROBLEMS:
        name, widths, acts, batch, seed = next(t for t in TOPOLOGIES if t[0] == prob)
        ws, bs, x64, targets = make_problem(name, widths, acts, batch, seed)
        key, fn = losses_for(name)[loss]
        x, y = x64.to(dtype), targets[key].to(dtype)
        for opt_name, make in OPTIMIZERS:
            params = leaves(ws, bs, dtype)
            opt = make(params)
            history = []
            for _ in range(STEPS):
                opt.zero_grad()
                a, z = forward(params[0::2], params[1::2], x, acts)
                fn(a, z, y).backward()
                opt.step()
                history.append(flat(params))
            out.append((f"{prob}_{loss}_{opt_name}_steps", torch.cat(history)))
    return out


def hex_literal(v):
    """Exact C++ hex float literal, trailing zero hex digits dropped: 0x1.8p-1."""
    mantissa, exponent = float(v).hex().split("p")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    return f"{mantissa}p{exponent}"


def literal(v, is_float):
    if is_float:
        return hex_literal(torch.tensor(v, dtype=torch.float32).item()) + "f"
    return hex_literal(v)


def emit(values, ctype):
    is_float = ctype == "float"
    lines = [f"template <>\nstruct values<{ctype}> {{"]
    for name, t in values:
        vals = [literal(v, is_float) for v in t.tolist()]
        body = []
        row = "     "
        for s in vals:
            if len(row) + len(s) + 2 > 100:
                body.append(row.rstrip())
                row = "     "
            row += " " + s + ","
        body.append(row.rstrip())
        lines.append(f"  static constexpr std::array<{ctype}, {len(vals)}> {name}{{{{")
        lines.extend(body)
        lines.append("  }};")
    lines.append("};")
    return "\n".join(lines)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "reference_values.hpp")
    f64 = compute(torch.float64)
    f32 = compute(torch.float32)
    text = f"""// SPDX-License-Identifier: MIT
// GENERATED by tests/torch_reference/make_reference.py with torch {torch.__version__}: do not edit.
// Reference values from PyTorch for tests/unit/torch_reference.cpp (see README.md there).
// values<double>: computed with torch.float64; values<float>: with torch.float32 (same problem,
// parameters/inputs/targets rounded to float). Hex float literals: exact.
#pragma once

#include <array>
#include <cstddef>

namespace ctnn_test::torch_ref {{

inline constexpr const char* torch_version = "{torch.__version__}";
inline constexpr std::size_t optimizer_steps = {STEPS};

/// The reference values for one element type (double or float).
template <class T>
struct values;

{emit(f64, "double")}

{emit(f32, "float")}

}}  // namespace ctnn_test::torch_ref
"""
    with open(path, "w", encoding="ascii") as f:
        f.write(text)
    print(f"wrote {path} ({len(f64)} arrays per type, torch {torch.__version__})")


if __name__ == "__main__":
    main()
