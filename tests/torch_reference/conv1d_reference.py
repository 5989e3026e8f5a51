#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes tests/torch_reference/conv1d_reference.hpp: PyTorch reference values for ctnn::conv1d
(tests/unit/conv1d.cpp).

Usage (from anywhere; needs torch 1.10+, e.g. /usr/bin/python3 on the dev machine):
    python3 tests/torch_reference/conv1d_reference.py [output.hpp]

Deterministic (fixed seeds, CPU, one thread), in float64 and in float32 (the float problem is the
double one rounded). For each configuration of CONFIGS, one sample x of Time x InChannels values,
F.conv1d with PyTorch's own padding (valid: none; causal: F.pad on the left by
Dilation*(Kernel-1); same: padding='same'), then the activation. PyTorch is channels-first, so x
goes in as x.T[None] and the output comes back as out[0].T: every array below is time-major,
element (t, c) at t * Channels + c, as ctnn holds it. Recorded per configuration <p>:
  <p>_params  weight (Channels x InChannels x Kernel, row-major) then bias: ctnn's flat order
  <p>_x       the input;  <p>_target  the regression target;  <p>_y  the forward output
  <p>_loss    L = mse_loss(y, target) (mean over OutTime x Channels)
  <p>_grad    dL/d(weight, bias), flat order;  <p>_dx  dL/dx
  <p>_adam_steps  the flat parameters after each of three torch.optim.Adam(lr=0.01) steps on L
"""

import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_reference import emit  # noqa: E402  (the shared hex-literal writer)

torch.set_num_threads(1)

ACT = {
    "identity": lambda z: z,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softplus": F.softplus,  # torch's threshold 20 is never reached here
}

# prefix, Time, InChannels, Channels, Kernel, activation, Dilation, Stride, padding, seed.
# The C++ test spells each as ctnn::conv1d<Channels, Kernel, Act, Dilation, Stride, Padding>
# after ctnn::input<Time, InChannels>.
CONFIGS = [
    ("a", 9, 3, 4, 3, "tanh", 2, 1, "valid", 101),      # kernel 3 dilation 2 valid
    ("b", 7, 1, 3, 3, "sigmoid", 1, 1, "causal", 102),  # causal, one input channel
    ("c", 8, 3, 2, 4, "identity", 1, 1, "same", 103),   # same, even kernel: 1 left, 2 right
    ("d", 10, 2, 3, 3, "tanh", 1, 2, "valid", 104),     # stride 2
    ("e", 9, 2, 2, 3, "softplus", 2, 2, "causal", 105), # causal, stride 2, dilation 2
    ("f", 5, 1, 2, 3, "tanh", 2, 1, "same", 106),       # same, dilation 2 (2 left, 2 right)
    ("g", 13, 5, 3, 5, "sigmoid", 1, 3, "valid", 107),  # odd sizes, 25-value patch, stride 3
]
STEPS = 3


def make_problem(time, cin, cout, kernel, seed, out_time):
    g = torch.Generator().manual_seed(seed)
    bound = 1.5 / math.sqrt(cin * kernel)
    w = (torch.rand(cout, cin, kernel, generator=g, dtype=torch.float64) * 2 - 1) * bound
    b = (torch.rand(cout, generator=g, dtype=torch.float64) * 2 - 1) * 0.5
    x = (torch.rand(time, cin, generator=g, dtype=torch.float64) * 2 - 1) * 1.5
    target = torch.randn(out_time, cout, generator=g, dtype=torch.float64) * 0.5
    return w, b, x, target


def conv(x, w, b, act, dilation, stride, pad):
    """x: (Time, InChannels) -> (OutTime, Channels), PyTorch's own padding."""
    xt = x.t().unsqueeze(0)
    if pad == "causal":
        xt = F.pad(xt, (dilation * (w.shape[2] - 1), 0))
        z = F.conv1d(xt, w, b, stride=stride, dilation=dilation)
    elif pad == "same":
        z = F.conv1d(xt, w, b, stride=stride, dilation=dilation, padding="same")
    else:
        z = F.conv1d(xt, w, b, stride=stride, dilation=dilation)
    return ACT[act](z[0].t())


def out_time_of(time, kernel, dilation, stride, pad):
    reach = dilation * (kernel - 1)
    padded = time + (reach if pad in ("causal", "same") else 0)
    return (padded - reach - 1) // stride + 1


def compute(dtype):
    out = []
    for p, time, cin, cout, kernel, act, dil, stride, pad, seed in CONFIGS:
        n_out = out_time_of(time, kernel, dil, stride, pad)
        w64, b64, x64, t64 = make_problem(time, cin, cout, kernel, seed, n_out)
        w = w64.to(dtype).clone().requires_grad_(True)
        b = b64.to(dtype).clone().requires_grad_(True)
        x = x64.to(dtype).clone().requires_grad_(True)
        target = t64.to(dtype)
        y = conv(x, w, b, act, dil, stride, pad)
        assert y.shape == (n_out, cout), (p, y.shape)
        loss = F.mse_loss(y, target)
        loss.backward()
        flat = lambda ts: torch.cat([t.detach().reshape(-1) for t in ts])  # noqa: E731
        out.append((f"{p}_params", flat([w, b])))
        out.append((f"{p}_x", x.detach().reshape(-1)))
        out.append((f"{p}_target", target.reshape(-1)))
        out.append((f"{p}_y", y.detach().reshape(-1)))
        out.append((f"{p}_loss", loss.detach().reshape(1)))
        out.append((f"{p}_grad", flat([w.grad, b.grad])))
        out.append((f"{p}_dx", x.grad.reshape(-1)))
        w = w64.to(dtype).clone().requires_grad_(True)
        b = b64.to(dtype).clone().requires_grad_(True)
        opt = torch.optim.Adam([w, b], lr=0.01)
        history = []
        for _ in range(STEPS):
            opt.zero_grad()
            F.mse_loss(conv(x.detach(), w, b, act, dil, stride, pad), target).backward()
            opt.step()
            history.append(flat([w, b]))
        out.append((f"{p}_adam_steps", torch.cat(history)))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "conv1d_reference.hpp")
    f64 = compute(torch.float64)
    f32 = compute(torch.float32)
    text = f"""// SPDX-License-Identifier: MIT
// GENERATED by tests/torch_reference/conv1d_reference.py with torch {torch.__version__}: do not edit.
// PyTorch reference values for ctnn::conv1d (tests/unit/conv1d.cpp; the script's docstring lists
// the arrays). values<double>: torch.float64; values<float>: torch.float32 (the same problem
// rounded to float). Time-major arrays (element (t, c) at t * Channels + c). Hex floats: exact.
#pragma once

#include <array>
#include <cstddef>

namespace ctnn_test::conv1d_ref {{

inline constexpr const char* torch_version = "{torch.__version__}";
inline constexpr std::size_t adam_steps = {STEPS};

/// The reference values for one element type (double or float).
template <class T>
struct values;

{emit(f64, "double")}

{emit(f32, "float")}

}}  // namespace ctnn_test::conv1d_ref
"""
    with open(path, "w", encoding="ascii") as f:
        f.write(text)
    print(f"wrote {path} ({len(f64)} arrays per type, torch {torch.__version__})")


if __name__ == "__main__":
    main()
