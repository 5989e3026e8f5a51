#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Convert a PyTorch chain of layers (nn.Sequential) into ctnn's binary format and C++ header.

The blob (format version 2, see the table at the top of include/ctnn/serialize.hpp) loads with
ctnn::load into the ctnn::network<...> type whose C++ spelling this script prints; the topology
fingerprint in it makes a mismatched type fail with ctnn::status::topology_mismatch. The header
is what ctnn::export_header writes for that network (a constexpr network with exact hexadecimal
literals), character for character.

Supported modules (nested nn.Sequential, and SequenceChain, are flattened):
  nn.Linear (bias or not)       -> ctnn::dense<Out, Act> on a vector (no bias: b = 0), or
                                   ctnn::time_distributed<ctnn::dense<Out, Act>> on a sequence
  nn.GRU, nn.LSTM               -> ctnn::gru<Hidden>, ctnn::lstm<Hidden>: one layer, one
                                   direction, bias on, no proj_size; batch_first either way.
                                   They return the whole sequence (the hidden state is dropped).
  nn.Conv1d (groups=1, padding_mode='zeros', any dilation and stride, bias or not)
                                -> ctnn::conv1d<Channels, Kernel, Act, Dilation, Stride, Padding>
                                   padding=0 / 'valid' -> ctnn::padding::valid
                                   padding='same', or padding=p with 2p = dilation*(kernel-1)
                                   and stride 1 -> ctnn::padding::same
                                   CausalConv1d(conv), or nn.ConstantPad1d((d*(k-1), 0), 0.)
                                   right before a padding-0 conv -> ctnn::padding::causal
                                   any other padding is refused
  LastStep(dim)                 -> ctnn::last_step (x.select(dim, -1): dim is the time axis)
  Transpose(a, b)               -> nothing: a layout change between nn.Conv1d's
                                   (batch, channels, time) and a channels-last layout
  after a Linear or a Conv1d at most one of
  nn.Identity (or nothing)  -> ctnn::identity
  nn.Sigmoid                -> ctnn::sigmoid
  nn.Tanh                   -> ctnn::tanh
  nn.ReLU                   -> ctnn::relu
  nn.LeakyReLU(slope)       -> ctnn::leaky_relu<Num, Den>   (slope = Num/Den, from its decimal repr)
  nn.ELU(alpha)             -> ctnn::elu<Num, Den>
  nn.Softplus(beta=1, threshold>=20) -> ctnn::softplus
  nn.GELU(approximate='tanh')        -> ctnn::gelu
  nn.Softmax(dim=-1, the channels), after the last Linear only -> ctnn::softmax
Anything else is refused with a message naming the module and its position (exit status 1).

Helper modules (plain PyTorch, defined here so that a model that uses them converts):
  SequenceChain(*modules)  an nn.Sequential that keeps only the output sequence of GRU/LSTM
  LastStep(dim=1)          the last time step along dim (1 with batch_first, 0 without)
  CausalConv1d(conv)       zeros on the left only, dilation*(kernel-1) of them, then conv
  Transpose(a, b)          x.transpose(a, b)

Data layout: ctnn reads one sample as time x channels, row-major (value (t, c) at t*C + c).
  batch_first GRU/LSTM/Linear (batch, time, channels): a sample x[n] is already that layout.
  batch_first=False (time, batch, channels): the sample is x[:, n, :].
  nn.Conv1d (batch, channels, time): feed x[n].T (x[n].transpose(0, 1)).
The script prints which one the model's input uses. The fingerprint leaves out the window
length, so one blob loads into networks of any window (e.g. a streaming ctnn::input<1, C>).

Usage:
  torch_to_ctnn.py MODEL.pt [--time-steps T] [--dtype float32|float64] [-o OUT.ctnn]
                   [--header OUT.hpp] [--namespace NS] [--name NAME]
                                      convert a model saved with torch.save(model, MODEL.pt)
  torch_to_ctnn.py --demo OUTDIR      dense demo: OUTDIR/model_{f32,f64}.ctnn, cases_*.bin,
                                      model_type.txt
  torch_to_ctnn.py --sequence-demo OUTDIR
                                      train/initialise a GRU classifier (digits rows as 8x8
                                      sequences), an LSTM sequence-to-sequence model, a dilated
                                      Conv1d stack and a Conv1d -> GRU classifier; write <name>_{f32,f64}.{ctnn,hpp}, cases,
                                      <name>_type.txt for each (examples/pytorch_import/
                                      sequence_import_check.cpp reads them)
  torch_to_ctnn.py --self-test        check the refusals and the format (no files kept)
As a library: blob, cpp_type = to_ctnn(model, dtype="float32", time_steps=None), or
convert(...) for the header text and the input layout too.
"""
import argparse
import csv
import struct
import subprocess
import sys
import tempfile
import zlib
from fractions import Fraction
from pathlib import Path

try:
    import torch
    from torch import nn
except ImportError:  # pragma: no cover - reported to the caller
    torch = None
    nn = None

MAGIC = b"CTNN"
FORMAT_VERSION = 2
ELEMENT = {"float32": (1, "<f", "float"), "float64": (2, "<d", "double")}
SUPPORTED = ("Linear, GRU, LSTM, Conv1d, LastStep, Transpose, CausalConv1d, ConstantPad1d before a "
             "Conv1d (causal), and after each Linear or Conv1d at most one of Identity, Sigmoid, "
             "Tanh, ReLU, LeakyReLU, ELU, Softplus(beta=1, threshold>=20), GELU(approximate='tanh'), "
             "Softmax(dim=-1) (last Linear only)")
INT64_MAX = 2**63 - 1
PADDING_CODE = {"valid": 0, "causal": 1, "same": 2}  # ctnn::padding's enumerators, in order


class UnsupportedModel(ValueError):
    """The model cannot be expressed as a ctnn::network."""


# ------------------------------------------------------------------------------------------------
# Helper modules: plain PyTorch, for the parts of a sequence model nn has no module for.
# ------------------------------------------------------------------------------------------------
if torch is not None:

    class SequenceChain(nn.Sequential):
        """nn.Sequential that passes on only the output sequence of nn.GRU / nn.LSTM (their
        (output, hidden) tuples would otherwise reach the next module)."""

        def forward(self, x):  # noqa: D102 - nn.Module API
            for module in self:
                x = module(x)
                if isinstance(x, tuple):
                    x = x[0]
            return x

    class LastStep(nn.Module):
        """The last time step of a sequence: x.select(dim, -1) (dim: the time axis, 1 for
        (batch, time, channels), 0 for (time, batch, channels)). ctnn::last_step."""

        def __init__(self, dim: int = 1):
            super().__init__()
            self.dim = dim

        def forward(self, x):  # noqa: D102
            return x.select(self.dim, -1)

        def extra_repr(self) -> str:
            return f"dim={self.dim}"

    class CausalConv1d(nn.Module):
        """conv (padding 0) after dilation*(kernel_size-1) zeros on the left of the time axis:
        output t reads inputs <= t and the output is as long as the input.
        ctnn::conv1d<..., ctnn::padding::causal>."""

        def __init__(self, conv):
            super().__init__()
            self.conv = conv

        @property
        def left(self) -> int:
            return self.conv.dilation[0] * (self.conv.kernel_size[0] - 1)

        def forward(self, x):  # noqa: D102
            return self.conv(nn.functional.pad(x, (self.left, 0)))

    class Transpose(nn.Module):
        """x.transpose(a, b): a layout change (e.g. from Conv1d's (batch, channels, time) to
        (batch, time, channels)); nothing in ctnn, which always holds time x channels."""

        def __init__(self, a: int, b: int):
            super().__init__()
            self.a, self.b = a, b

        def forward(self, x):  # noqa: D102
            return x.transpose(self.a, self.b)

        def extra_repr(self) -> str:
            return f"{self.a}, {self.b}"

    # A model saved by a script that imported this file as a module unpickles here too.
    sys.modules.setdefault("torch_to_ctnn", sys.modules[__name__])


def _ratio(value: float, what: str, where: str) -> Fraction:
    """value as Num/Den in lowest terms (Den > 0), from its shortest decimal representation."""
    frac = Fraction(repr(float(value)))
    if float(frac) != float(value) or abs(frac.numerator) > INT64_MAX or frac.denominator > INT64_MAX:
        raise UnsupportedModel(f"{where}: {what} = {value!r} is not a ratio of 64-bit integers")
    return frac


def _flatten(model):
    for m in model:
        if isinstance(m, nn.Sequential):
            yield from _flatten(m)
        else:
            yield m


def _activation(module, position: int):
    """(fingerprint name, integer parameters, C++ spelling) of an activation module, or None."""
    where = f"module {position} ({type(module).__name__})"
    if isinstance(module, nn.Identity):
        return "identity", [], "ctnn::identity"
    if isinstance(module, nn.Sigmoid):
        return "sigmoid", [], "ctnn::sigmoid"
    if isinstance(module, nn.Tanh):
        return "tanh", [], "ctnn::tanh"
    if isinstance(module, nn.ReLU):
        return "relu", [], "ctnn::relu"
    if isinstance(module, nn.LeakyReLU):
        r = _ratio(module.negative_slope, "negative_slope", where)
        return "leaky_relu", [r.numerator, r.denominator], f"ctnn::leaky_relu<{r.numerator}, {r.denominator}>"
    if isinstance(module, nn.ELU):
        r = _ratio(module.alpha, "alpha", where)
        return "elu", [r.numerator, r.denominator], f"ctnn::elu<{r.numerator}, {r.denominator}>"
    if isinstance(module, nn.Softplus):
        if module.beta != 1 or module.threshold < 20:
            raise UnsupportedModel(f"{where}: ctnn::softplus is ln(1 + e^z): it needs beta=1 and "
                                   f"threshold>=20 (got beta={module.beta}, threshold={module.threshold})")
        return "softplus", [], "ctnn::softplus"
    if isinstance(module, nn.GELU):
        if getattr(module, "approximate", "none") != "tanh":
            raise UnsupportedModel(f"{where}: ctnn::gelu is the tanh approximation; use "
                                   f"nn.GELU(approximate='tanh') (got approximate="
                                   f"{getattr(module, 'approximate', 'none')!r})")
        return "gelu", [], "ctnn::gelu"
    if isinstance(module, nn.Softmax):
        return "softmax", [], "ctnn::softmax"
    return None


IDENTITY = ("identity", [], "ctnn::identity")


class _Layer:
    """One ctnn layer: kind, tensors in flat order (name, float64 tensor), and what the
    fingerprint, the C++ spelling and export's comments need."""

    def __init__(self, kind, where, tensors, in_shape, out_shape, **config):
        self.kind, self.where, self.tensors = kind, where, tensors
        self.in_shape, self.out_shape = in_shape, out_shape  # (N,) or (Time, Channels)
        self.config = config
        self.act = None  # dense, time_distributed and conv1d only

    @property
    def takes_activation(self) -> bool:
        return self.kind in ("dense", "time_distributed", "conv1d")

    def _dense_spelling(self) -> str:
        return f"ctnn::dense<{self.config['out']}, {self.act[2]}>"

    def spelling(self) -> str:
        c = self.config
        if self.kind == "dense":
            return self._dense_spelling()
        if self.kind == "time_distributed":
            return f"ctnn::time_distributed<{self._dense_spelling()}>"
        if self.kind in ("gru", "lstm"):
            return f"ctnn::{self.kind}<{c['hidden']}>"
        if self.kind == "last_step":
            return "ctnn::last_step"
        return (f"ctnn::conv1d<{c['channels']}, {c['kernel']}, {self.act[2]}, {c['dilation']}, "
                f"{c['stride']}, ctnn::padding::{c['padding']}>")

    @property
    def header(self):
        """The layer kind's own header (ctnn::Layer's `header`; dense has none)."""
        return None if self.kind == "dense" else f"<ctnn/layers/{self.kind}.hpp>"

    def fingerprint_items(self):
        """This layer's part of the version-2 fingerprint (each layer's `fingerprint(h)`)."""
        c = self.config

        def activation():
            name, params, _ = self.act
            return [("text", name), ("u64", len(params))] + [("u64", p) for p in params]

        if self.kind == "dense":
            return [("text", "dense"), ("u64", c["in"]), ("u64", c["out"])] + activation()
        if self.kind == "time_distributed":
            return [("text", "time_distributed"), ("text", "dense"), ("u64", c["in"]),
                    ("u64", c["out"])] + activation()
        if self.kind in ("gru", "lstm"):
            return [("text", self.kind), ("u64", c["features"]), ("u64", c["hidden"])]
        if self.kind == "last_step":
            return [("text", "last_step"), ("u64", c["channels"])]
        return ([("text", "conv1d"), ("u64", c["in_channels"]), ("u64", c["channels"]),
                 ("u64", c["kernel"])] + activation() +
                [("u64", c["dilation"]), ("u64", c["stride"]), ("u64", PADDING_CODE[c["padding"]])])


def _detach(t):
    return t.detach().cpu().double()


def _normalise_dim(dim: int, rank: int, where: str) -> int:
    if not -rank <= dim < rank:
        raise UnsupportedModel(f"{where}: dim={dim} is out of range for a rank-{rank} tensor")
    return dim % rank


class _Chain:
    """Walks the flattened modules, tracking the ctnn shape and PyTorch's layout of the data."""

    def __init__(self, modules, time_steps):
        self.modules = modules
        self.time_steps = time_steps
        self.layers = []
        self.shape = None        # the ctnn shape after the layers so far: (N,) or (Time, Channels)
        self.layout = None       # PyTorch's axes after them: "NC", or a permutation of "NTC"
        self.input_shape = None
        self.input_layout = None
        self.pending = []        # Transpose(a, b) seen before the layout was known
        self.causal_pad = None   # (position, left) of a ConstantPad1d awaiting its Conv1d

    # -- the input, fixed by the first module that needs a shape --
    def _start(self, layout: str, shape, where: str):
        if len(layout) == 3 and self.time_steps is None:
            raise UnsupportedModel(f"{where} reads a sequence: give the window length "
                                   f"(time_steps=..., or --time-steps T)")
        self.layout, self.shape = layout, shape
        # Undo the Transposes seen before, last first, to get the layout of the model's input.
        axes = list(layout)
        for a, b in reversed(self.pending):
            axes[a], axes[b] = axes[b], axes[a]
        self.input_layout, self.input_shape = "".join(axes), shape

    def _sequence(self, need: str, channels: int, where: str):
        """The data must be a sequence in PyTorch layout `need` with `channels` channels."""
        if self.shape is None:
            self._start(need, (self.time_steps, channels), where)
        if len(self.shape) != 2:
            raise UnsupportedModel(f"{where} reads a sequence, but the data is a vector here "
                                   f"(after a LastStep)")
        if self.layout != need:
            raise UnsupportedModel(f"{where} expects PyTorch layout {_describe(need)}, but the data "
                                   f"is {_describe(self.layout)} here (insert Transpose modules)")
        if self.shape[1] != channels:
            raise UnsupportedModel(f"{where}: it reads {channels} channels, but the previous layer "
                                   f"gives {self.shape[1]}")
        return self.shape[0]

    def run(self):
        for position, m in enumerate(self.modules):
            where = f"module {position} ({type(m).__name__})"
            if self.causal_pad is not None and not isinstance(m, nn.Conv1d):
                p, _ = self.causal_pad
                raise UnsupportedModel(f"module {p} (ConstantPad1d): a pad is supported only as the "
                                       f"causal pad of the nn.Conv1d right after it")
            if isinstance(m, Transpose):
                self._transpose(m, where)
            elif isinstance(m, nn.ConstantPad1d):
                self._pad(m, position, where)
            elif isinstance(m, CausalConv1d):
                self._conv(m.conv, where, causal=True)
            elif isinstance(m, nn.Conv1d):
                causal = self.causal_pad is not None
                if causal:
                    left = self.causal_pad[1]
                    reach = m.dilation[0] * (m.kernel_size[0] - 1)
                    if left != reach or m.padding != (0,):
                        raise UnsupportedModel(
                            f"{where}: the ConstantPad1d before it pads {left} on the left; a causal "
                            f"conv needs exactly dilation*(kernel_size-1) = {reach} and padding=0 "
                            f"(got padding={m.padding})")
                    self.causal_pad = None
                self._conv(m, where, causal=causal)
            elif isinstance(m, (nn.GRU, nn.LSTM)):
                self._recurrent(m, where)
            elif isinstance(m, nn.Linear):
                self._linear(m, where)
            elif isinstance(m, LastStep):
                self._last_step(m, where)
            else:
                act = _activation(m, position)
                if act is None:
                    hint = " (it is the identity in eval mode: remove it before exporting)" \
                        if isinstance(m, nn.Dropout) else ""
                    raise UnsupportedModel(f"{where} is not supported by ctnn{hint}; supported: {SUPPORTED}")
                self._attach(act, m, position, where)
        if self.causal_pad is not None:
            raise UnsupportedModel(f"module {self.causal_pad[0]} (ConstantPad1d): a pad is supported "
                                   f"only as the causal pad of the nn.Conv1d right after it")
        if not self.layers:
            raise UnsupportedModel("the model has no layer (Linear, GRU, LSTM or Conv1d)")
        for layer in self.layers:
            if layer.takes_activation and layer.act is None:
                layer.act = IDENTITY
        return self

    def _transpose(self, m, where):
        if self.shape is not None and len(self.shape) != 2:
            raise UnsupportedModel(f"{where}: the data is a vector here; nothing to transpose")
        a, b = _normalise_dim(m.a, 3, where), _normalise_dim(m.b, 3, where)
        if self.layout is None:
            self.pending.append((a, b))
            return
        axes = list(self.layout)
        axes[a], axes[b] = axes[b], axes[a]
        self.layout = "".join(axes)

    def _pad(self, m, position, where):
        left, right = m.padding
        if right != 0 or left <= 0 or m.value != 0:
            raise UnsupportedModel(f"{where}: only zeros on the left of the time axis (a causal "
                                   f"conv) are supported (got padding={m.padding}, value={m.value})")
        self.causal_pad = (position, left)

    def _conv(self, m, where, causal: bool):
        if m.groups != 1:
            raise UnsupportedModel(f"{where}: groups={m.groups} is not supported (ctnn::conv1d is "
                                   f"a full convolution, groups=1)")
        if m.padding_mode != "zeros":
            raise UnsupportedModel(f"{where}: padding_mode={m.padding_mode!r} is not supported "
                                   f"(ctnn pads with zeros)")
        kernel, dilation, stride = m.kernel_size[0], m.dilation[0], m.stride[0]
        reach = dilation * (kernel - 1)
        if causal:
            if m.padding not in ((0,), "valid"):
                raise UnsupportedModel(f"{where}: a causal conv needs padding=0 on the Conv1d itself "
                                       f"(got padding={m.padding!r})")
            mode = "causal"
        elif m.padding in ((0,), "valid"):
            mode = "valid"
        elif m.padding == "same" or (stride == 1 and 2 * m.padding[0] == reach):
            mode = "same"
        else:
            raise UnsupportedModel(
                f"{where}: padding={m.padding!r} has no ctnn equivalent: use 0 (valid), 'same' "
                f"(or dilation*(kernel_size-1)/2 with stride 1), or CausalConv1d / a left-only "
                f"ConstantPad1d for a causal conv (dilation={dilation}, kernel_size={kernel}, "
                f"stride={stride})")
        time = self._sequence("NCT", m.in_channels, where)
        left = reach if mode == "causal" else reach // 2 if mode == "same" else 0
        right = reach - reach // 2 if mode == "same" else 0
        if time + left + right <= reach:
            raise UnsupportedModel(f"{where}: the dilated kernel dilation*(kernel_size-1)+1 = "
                                   f"{reach + 1} is longer than the {time} steps it reads")
        out_time = (time + left + right - reach - 1) // stride + 1
        weight = _detach(m.weight).reshape(m.out_channels, m.in_channels * kernel)
        bias = _detach(m.bias) if m.bias is not None else torch.zeros(m.out_channels, dtype=torch.float64)
        self.layers.append(_Layer("conv1d", where, [("weight", weight), ("bias", bias)], self.shape,
                                  (out_time, m.out_channels), in_channels=m.in_channels,
                                  channels=m.out_channels, kernel=kernel, dilation=dilation,
                                  stride=stride, padding=mode))
        self.shape = (out_time, m.out_channels)

    def _recurrent(self, m, where):
        name = type(m).__name__
        if m.num_layers != 1:
            raise UnsupportedModel(f"{where}: num_layers={m.num_layers}: ctnn::{name.lower()} is one "
                                   f"layer; stack {name}(num_layers=1) modules instead")
        if m.bidirectional:
            raise UnsupportedModel(f"{where}: bidirectional=True is not supported "
                                   f"(ctnn::{name.lower()} runs forward in time only)")
        if getattr(m, "proj_size", 0):
            raise UnsupportedModel(f"{where}: proj_size={m.proj_size} is not supported "
                                   f"(ctnn::lstm has no projection)")
        if not m.bias:
            raise UnsupportedModel(f"{where}: bias=False is not supported (ctnn::{name.lower()} "
                                   f"has bias_ih and bias_hh)")
        kind = name.lower()
        time = self._sequence("NTC" if m.batch_first else "TNC", m.input_size, where)
        tensors = [(t, _detach(getattr(m, f"{t}_l0"))) for t in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
        self.layers.append(_Layer(kind, where, tensors, self.shape, (time, m.hidden_size),
                                  features=m.input_size, hidden=m.hidden_size))
        self.shape = (time, m.hidden_size)

    def _linear(self, m, where):
        if self.shape is None:
            if self.time_steps is None:
                self._start("NC", (m.in_features,), where)
            else:
                self._start(self._channels_last_layout(), (self.time_steps, m.in_features), where)
        if len(self.shape) == 2 and self.layout[-1] != "C":
            raise UnsupportedModel(f"{where}: nn.Linear acts on the last axis, which is "
                                   f"{_describe(self.layout)}'s time axis here (insert a Transpose)")
        width = self.shape[-1]
        if width != m.in_features:
            raise UnsupportedModel(f"{where}: in_features={m.in_features} does not match the "
                                   f"previous layer's output width {width}")
        weight = _detach(m.weight)
        bias = _detach(m.bias) if m.bias is not None else torch.zeros(m.out_features, dtype=torch.float64)
        kind = "dense" if len(self.shape) == 1 else "time_distributed"
        out_shape = (m.out_features,) if kind == "dense" else (self.shape[0], m.out_features)
        # ctnn::dense names its tensors W and b (export writes those names).
        self.layers.append(_Layer(kind, where, [("W", weight), ("b", bias)], self.shape, out_shape,
                                  **{"in": m.in_features, "out": m.out_features}))
        self.shape = out_shape

    def _channels_last_layout(self) -> str:
        """The layout of a sequence whose first layer is a Linear (it works on either channels-
        last layout): the one the next GRU, LSTM or LastStep expects, else (batch, time, channels)."""
        for m in self.modules:
            if isinstance(m, (nn.GRU, nn.LSTM)):
                return "NTC" if m.batch_first else "TNC"
            if isinstance(m, LastStep):
                return "TNC" if m.dim == 0 else "NTC"
            if isinstance(m, (Transpose, nn.Conv1d, CausalConv1d, nn.ConstantPad1d)):
                break
        return "NTC"

    def _last_step(self, m, where):
        if self.shape is None:
            layouts = {0: "TNC", 1: "NTC", 2: "NCT"}
            dim = _normalise_dim(m.dim, 3, where)
            raise UnsupportedModel(f"{where}: a LastStep before any layer has nothing to reduce "
                                   f"(layout {_describe(layouts[dim])})")
        if len(self.shape) != 2:
            raise UnsupportedModel(f"{where}: the data is already a vector here")
        dim = _normalise_dim(m.dim, 3, where)
        if self.layout[dim] != "T":
            raise UnsupportedModel(f"{where}: dim={m.dim} is not the time axis of "
                                   f"{_describe(self.layout)} (use dim={self.layout.index('T')})")
        channels = self.shape[1]
        self.layers.append(_Layer("last_step", where, [], self.shape, (channels,), channels=channels))
        self.shape = (channels,)
        self.layout = "N" + self.layout.replace("N", "").replace("T", "")

    def _attach(self, act, m, position, where):
        if not self.layers:
            raise UnsupportedModel(f"{where}: an activation before the first layer has no ctnn "
                                   f"equivalent (an activation belongs to a dense or conv1d layer)")
        last = self.layers[-1]
        if not last.takes_activation:
            raise UnsupportedModel(f"{where}: ctnn::{last.kind} has no activation of its own; an "
                                   f"activation must follow a Linear or a Conv1d")
        if last.act is not None:
            raise UnsupportedModel(f"{where}: two activations in a row; ctnn has one activation per "
                                   f"layer")
        if act[0] == "softmax":
            if last.kind == "conv1d":
                raise UnsupportedModel(f"{where}: ctnn::conv1d needs an element-wise activation "
                                       f"(softmax is not)")
            channel_axis = self.layout.index("C")
            if m.dim not in (-1, channel_axis):
                raise UnsupportedModel(f"{where}: ctnn::softmax normalises the feature dimension; "
                                       f"use nn.Softmax(dim=-1) (got dim={m.dim})")
            if position != len(self.modules) - 1:
                raise UnsupportedModel(f"{where}: ctnn allows softmax only on the output layer")
        last.act = act


def _describe(layout: str) -> str:
    names = {"N": "batch", "T": "time", "C": "channels"}
    return "(" + ", ".join(names[a] for a in layout) + ")"


def _layers(model, time_steps=None):
    """The ctnn layers of a model (a _Chain after run())."""
    if torch is None:
        raise UnsupportedModel("PyTorch is not installed")
    if not isinstance(model, nn.Sequential):
        raise UnsupportedModel(f"the model must be an nn.Sequential, not {type(model).__name__}")
    modules = list(_flatten(model))
    if not modules:
        raise UnsupportedModel("the nn.Sequential is empty")
    if time_steps is not None and (not isinstance(time_steps, int) or time_steps <= 0):
        raise UnsupportedModel(f"time_steps must be a positive integer (got {time_steps!r})")
    return _Chain(modules, time_steps).run()


def fingerprint(layers) -> int:
    """64-bit FNV-1a over the documented version-2 byte string (serialize.hpp)."""
    data = bytearray()

    def u64(v: int) -> None:
        data.extend(struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF))

    u64(len(layers))
    for layer in layers:
        for what, value in layer.fingerprint_items():
            if what == "text":
                u64(len(value))
                data.extend(value.encode("ascii"))
            else:
                u64(value)
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def hex_literal(value: float, dtype: str) -> str:
    """The exact hexadecimal literal ctnn::hex_literal writes (export.hpp): [-]0x1.<hex>p<exp>
    (subnormals 0x0.<hex>p-126 / p-1022, zeros 0x0p+0), trailing zero digits dropped, suffix f
    for float."""
    if dtype == "float32":
        bits = struct.unpack("<I", struct.pack("<f", value))[0]
        mant_bits, bias, width, pad = 23, 127, 32, 1
    else:
        bits = struct.unpack("<Q", struct.pack("<d", value))[0]
        mant_bits, bias, width, pad = 52, 1023, 64, 0
    digits = (mant_bits + pad) // 4
    negative = bits >> (width - 1)
    mant = bits & ((1 << mant_bits) - 1)
    exp_field = (bits >> mant_bits) & ((1 << (width - 1 - mant_bits)) - 1)
    text = ("-" if negative else "") + ("0x0" if exp_field == 0 else "0x1")
    frac = f"{mant << pad:0{digits}x}".rstrip("0")
    if frac:
        text += "." + frac
    e = (0 if mant == 0 else 1 - bias) if exp_field == 0 else exp_field - bias
    text += f"p{'-' if e < 0 else '+'}{abs(e)}"
    return text + ("f" if dtype == "float32" else "")


def _input_spelling(shape) -> str:
    return "ctnn::input<" + ", ".join(str(d) for d in shape) + ">"


def export_header_text(chain, dtype: str, namespace: str = "trained", name: str = "network",
                       include: str = "<ctnn/network.hpp>", comment: str = "") -> str:
    """What ctnn::export_header(net, sink, {namespace, name, include, "", comment}) writes for
    the loaded network, character for character (sequence_import_check.cpp compares them)."""
    layers = chain.layers
    cpp_element = ELEMENT[dtype][2]
    count = sum(t.numel() for layer in layers for _, t in layer.tensors)
    size = 4 if dtype == "float32" else 8
    out = ["// SPDX-License-Identifier: MIT\n"
           "// Generated by ctnn::export_header. Do not edit: re-export the trained network instead.\n"]
    if comment:
        out.append(f"// {comment}\n")
    out.append("// Topology: " + _input_spelling(chain.input_shape))
    out.extend(" -> " + layer.spelling() for layer in layers)
    out.append(f"; {count} parameters ({count * size} bytes of read-only data).\n"
               "// The literals are exact: this network is bit for bit the one that was exported.\n"
               f"#pragma once\n\n#include {include}\n")
    seen = {include}
    for layer in layers:
        if layer.header is not None and layer.header not in seen:
            seen.add(layer.header)
            out.append(f"#include {layer.header}\n")
    out.append(f"\nnamespace {namespace} {{\n\n/// The exported network's type.\nusing {name}_type = "
               f"ctnn::network<{cpp_element}, {_input_spelling(chain.input_shape)}"
               + "".join(", " + layer.spelling() for layer in layers) + ">;\n\n"
               "/// The trained parameters in ctnn's flat order (per layer, each parameter tensor row by\n"
               "/// row; dense: the weights (row j: unit j), then the biases), as exact hexadecimal\n"
               f"/// literals.\ninline constexpr {name}_type {name}{{{name}_type::flat_type{{\n")
    torch_dtype = torch.float32 if dtype == "float32" else torch.float64
    for i, layer in enumerate(layers):
        for tname, tensor in layer.tensors:
            rows = tensor.to(torch_dtype).reshape(tensor.shape[0], -1) if tensor.dim() == 2 \
                else tensor.to(torch_dtype).reshape(1, -1)
            for r, row in enumerate(rows.tolist()):
                index = f"[{r}]" if len(rows) > 1 else ""  # export: a one-row tensor has no row index
                out.append(f"    // layer {i}: {tname}{index}[0..{len(row) - 1}]\n")
                for c, v in enumerate(row):
                    out.append(("    " if c % 4 == 0 else " ") + hex_literal(v, dtype) + ",")
                    if c % 4 == 3 or c + 1 == len(row):
                        out.append("\n")
    out.append(f"}}}};\n\n}}  // namespace {namespace}\n")
    return "".join(out)


class Conversion:
    """The result of convert(): blob, C++ type, header text and the input's PyTorch layout."""

    def __init__(self, chain, dtype, blob, cpp_type):
        self.chain, self.dtype, self.blob, self.cpp_type = chain, dtype, blob, cpp_type

    @property
    def input_layout(self) -> str:
        return self.chain.input_layout

    def header(self, **options) -> str:
        return export_header_text(self.chain, self.dtype, **options)

    def feeding(self) -> str:
        """How a PyTorch input becomes ctnn's (one sample, time x channels row-major)."""
        layout = self.chain.input_layout
        if layout == "NC":
            return "PyTorch (batch, features): ctnn's input is x[n]"
        how = {"NTC": "x[n] (already time x channels)",
               "TNC": "x[:, n, :] (time x channels)",
               "NCT": "x[n].T (transpose channels x time into time x channels)"}.get(
                   layout, "the sample permuted to time x channels")
        return f"PyTorch {_describe(layout)}: ctnn's input<Time, Channels> is {how}"


def convert(model, dtype: str = "float32", time_steps=None) -> Conversion:
    """Convert an nn.Sequential; raises UnsupportedModel with the reason."""
    if dtype not in ELEMENT:
        raise UnsupportedModel(f"dtype must be one of {sorted(ELEMENT)}")
    code, fmt, cpp_element = ELEMENT[dtype]
    chain = _layers(model, time_steps)
    payload = bytearray()
    for layer in chain.layers:
        for name, tensor in layer.tensors:
            if not torch.isfinite(tensor).all():
                raise UnsupportedModel(f"{layer.where}: its {name} holds NaN or infinity")
            values = tensor.to(torch.float32 if dtype == "float32" else torch.float64).reshape(-1).tolist()
            payload.extend(struct.pack("<" + fmt[1] * len(values), *values))
    head = struct.pack("<4sHBBQI", MAGIC, FORMAT_VERSION, code, 0, fingerprint(chain.layers), len(payload))
    crc = zlib.crc32(bytes(payload), zlib.crc32(head)) & 0xFFFFFFFF  # version 2: header and payload
    blob = head + struct.pack("<I", crc) + bytes(payload)
    assert len(blob) == 24 + len(payload)
    specs = "".join(", " + layer.spelling() for layer in chain.layers)
    cpp_type = f"ctnn::network<{cpp_element}, {_input_spelling(chain.input_shape)}{specs}>"
    return Conversion(chain, dtype, blob, cpp_type)


def to_ctnn(model, dtype: str = "float32", time_steps=None):
    """(blob bytes, C++ type) for an nn.Sequential; raises UnsupportedModel with the reason."""
    result = convert(model, dtype, time_steps)
    return result.blob, result.cpp_type


# ------------------------------------------------------------------------------------------------
# Demos and test data
# ------------------------------------------------------------------------------------------------
def demo_model():
    torch.manual_seed(2024)
    return nn.Sequential(
        nn.Linear(6, 16), nn.Tanh(),
        nn.Linear(16, 12), nn.LeakyReLU(0.05),
        nn.Linear(12, 10), nn.ELU(alpha=0.5),
        nn.Sequential(nn.Linear(10, 8), nn.GELU(approximate="tanh")),
        nn.Linear(8, 8), nn.Softplus(),
        nn.Linear(8, 8), nn.ReLU(),
        nn.Linear(8, 6), nn.Sigmoid(),
        nn.Linear(6, 4),
        nn.Linear(4, 3), nn.Softmax(dim=-1),
    ).eval()


def write_cases(path: Path, dtype: str, x, y) -> None:
    """'CTNNCASE', u32 element code, u32 count, u32 inputs, u32 outputs, inputs, outputs
    (x and y: one row per case, each in ctnn's flat layout)."""
    code, fmt, _ = ELEMENT[dtype]
    x, y = x.reshape(x.shape[0], -1), y.reshape(y.shape[0], -1)
    xs, ys = x.reshape(-1).tolist(), y.reshape(-1).tolist()
    with open(path, "wb") as f:
        f.write(struct.pack("<8sIIII", b"CTNNCASE", code, x.shape[0], x.shape[1], y.shape[1]))
        f.write(struct.pack("<" + fmt[1] * len(xs), *xs))
        f.write(struct.pack("<" + fmt[1] * len(ys), *ys))


def demo(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    model = demo_model()
    torch.manual_seed(7)
    x = torch.cat([torch.randn(200, 6) * 2.0, torch.zeros(1, 6), torch.full((1, 6), 8.0),
                   torch.full((1, 6), -8.0)])
    types = []
    for dtype, torch_dtype in (("float32", torch.float32), ("float64", torch.float64)):
        blob, cpp_type = to_ctnn(model, dtype)
        suffix = "f32" if dtype == "float32" else "f64"
        (outdir / f"model_{suffix}.ctnn").write_bytes(blob)
        m = model.to(torch_dtype)
        xd = x.to(torch_dtype)
        with torch.no_grad():
            y = m(xd)
        write_cases(outdir / f"cases_{suffix}.bin", dtype, xd, y)
        types.append(cpp_type)
        print(f"{dtype}: {len(blob)} bytes -> {outdir / f'model_{suffix}.ctnn'}\n  {cpp_type}")
    (outdir / "model_type.txt").write_text("\n".join(types) + "\n")


DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _digits(split: str):
    """examples/data/digits_<split>.csv: (images as (n, 8, 8) rows x pixels in [0, 1], labels)."""
    with open(DATA_DIR / f"digits_{split}.csv", newline="") as f:
        rows = list(csv.reader(f))[1:]
    x = torch.tensor([[float(v) for v in r[:64]] for r in rows], dtype=torch.float64) / 16.0
    y = torch.tensor([int(r[64]) for r in rows])
    return x.reshape(-1, 8, 8), y


def _train(model, batches, loss_fn, steps: int, lr: float):
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for step in range(steps):
        x, target = batches(step)
        optimiser.zero_grad()
        loss = loss_fn(model(x), target)
        loss.backward()
        optimiser.step()
    model.eval()
    return float(loss)


def gru_model():
    """GRU over the 8 rows of a digit image (8 pixels per step) -> its last step -> Linear ->
    softmax, trained on examples/data/digits_train.csv."""
    torch.manual_seed(11)
    model = SequenceChain(nn.GRU(8, 16, batch_first=True), LastStep(1), nn.Linear(16, 10),
                          nn.Softmax(dim=-1)).double()
    x, y = _digits("train")
    g = torch.Generator().manual_seed(3)
    order = torch.randperm(len(y), generator=g)

    def batches(step):
        i = order[(step * 64) % (len(y) - 64):][:64]
        return x[i], y[i]

    loss = _train(model, batches, lambda p, t: nn.functional.nll_loss(torch.log(p), t), 600, 0.01)
    xt, yt = _digits("test")
    with torch.no_grad():
        accuracy = float((model(xt).argmax(-1) == yt).double().mean())
    print(f"gru: trained 600 Adam steps (last loss {loss:.3f}), digits test accuracy {accuracy:.3f}")
    return model, xt  # batch_first: a sample x[n] is 8 steps x 8 pixels, ctnn's layout already


def _signal(count: int, steps: int, seed: int):
    """Two channels per step: a sine of random frequency and phase with noise, and a square wave."""
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(steps, dtype=torch.float64)
    freq = 0.05 + 0.25 * torch.rand(count, 1, generator=g, dtype=torch.float64)
    phase = 6.283185307179586 * torch.rand(count, 1, generator=g, dtype=torch.float64)
    sine = torch.sin(freq * t + phase) + 0.1 * torch.randn(count, steps, generator=g, dtype=torch.float64)
    square = torch.sign(torch.sin(0.5 * freq * t + phase))
    return torch.stack([sine, square], dim=-1)  # (count, steps, 2)


def lstm_model():
    """LSTM (batch_first=False) sequence-to-sequence: every step's h -> Linear(1), trained to
    output a running average of the sine channel times the square wave."""
    torch.manual_seed(12)
    model = SequenceChain(nn.LSTM(2, 12), nn.Linear(12, 1)).double()
    steps = 32

    def target_of(x):  # x: (count, steps, 2) -> (count, steps, 1)
        avg = torch.cumsum(x[..., 0], dim=1) / torch.arange(1, steps + 1, dtype=torch.float64)
        return (avg * x[..., 1]).unsqueeze(-1)

    def batches(step):
        x = _signal(32, steps, 1000 + step)
        return x.transpose(0, 1), target_of(x).transpose(0, 1)  # (time, batch, channels)

    loss = _train(model, batches, nn.functional.mse_loss, 300, 0.01)
    print(f"lstm: trained 300 Adam steps (last mse {loss:.4f})")
    return model, _signal(64, steps, 7)  # samples in ctnn's layout (count, time, channels)


def conv_model():
    """A dilated Conv1d stack over (batch, channels, time): causal dilations 1 and 2 (a wrapper
    and a ConstantPad1d), 'same' with an odd reach (kernel 4, dilation 3: 4 zeros on the left, 5
    on the right), symmetric padding 2 = 'same', a strided valid conv, then (batch, time,
    channels) and a Linear on every step. Initialised, not trained."""
    torch.manual_seed(13)
    model = SequenceChain(
        CausalConv1d(nn.Conv1d(2, 8, 3)), nn.Tanh(),
        nn.ConstantPad1d((4, 0), 0.0), nn.Conv1d(8, 8, 3, dilation=2), nn.ReLU(),
        nn.Conv1d(8, 6, 4, dilation=3, padding="same"), nn.ELU(alpha=0.5),
        nn.Conv1d(6, 6, 5, dilation=1, padding=2), nn.LeakyReLU(0.1),
        nn.Conv1d(6, 4, 5, dilation=2, stride=2, bias=False), nn.GELU(approximate="tanh"),
        Transpose(1, 2), nn.Linear(4, 3),
    ).double()
    return model, _signal(48, 64, 8)  # ctnn's layout; PyTorch reads x.transpose(1, 2)


def mixed_model():
    """(batch, time, channels) in, a Transpose to Conv1d's layout, a causal dilated conv, back,
    a GRU, its last step and Linear -> sigmoid, trained to tell fast sines (frequency > 0.175)
    from slow ones."""
    torch.manual_seed(14)
    model = SequenceChain(
        Transpose(1, 2), CausalConv1d(nn.Conv1d(2, 6, 3, dilation=2)), nn.ReLU(), Transpose(1, 2),
        nn.GRU(6, 8, batch_first=True), LastStep(1), nn.Linear(8, 1), nn.Sigmoid(),
    ).double()
    steps = 40

    def batches(step):
        g = torch.Generator().manual_seed(5000 + step)
        freq = 0.05 + 0.25 * torch.rand(32, 1, generator=g, dtype=torch.float64)
        t = torch.arange(steps, dtype=torch.float64)
        x = torch.stack([torch.sin(freq * t), torch.cos(freq * t)], dim=-1)
        return x, (freq > 0.175).double()

    loss = _train(model, batches, nn.functional.binary_cross_entropy, 300, 0.02)
    print(f"mixed: trained 300 Adam steps (last loss {loss:.3f})")
    return model, _signal(48, steps, 9)  # (batch, time, channels): ctnn's layout already


def sequence_demo(outdir: Path) -> None:
    """Each model: blobs and headers (float32, float64), cases (torch's outputs on real
    sequences in ctnn's layout) and the C++ types, for sequence_import_check.cpp."""
    outdir.mkdir(parents=True, exist_ok=True)
    for name, make, time_steps, to_torch, from_torch in (
            ("gru", gru_model, 8, lambda x: x, lambda y: y),
            ("lstm", lstm_model, 32, lambda x: x.transpose(0, 1), lambda y: y.transpose(0, 1)),
            ("conv", conv_model, 64, lambda x: x.transpose(1, 2), lambda y: y),
            ("mixed", mixed_model, 40, lambda x: x, lambda y: y)):
        model, x = make()
        types = []
        for dtype, torch_dtype in (("float32", torch.float32), ("float64", torch.float64)):
            result = convert(model, dtype, time_steps)
            suffix = "f32" if dtype == "float32" else "f64"
            (outdir / f"{name}_{suffix}.ctnn").write_bytes(result.blob)
            (outdir / f"{name}_{suffix}.hpp").write_text(result.header())
            m = model.to(torch_dtype)
            xd = x.to(torch_dtype)
            with torch.no_grad():
                y = from_torch(m(to_torch(xd)))
            write_cases(outdir / f"{name}_cases_{suffix}.bin", dtype, xd, y)
            types.append(result.cpp_type)
            print(f"{name} {dtype}: {len(result.blob)} bytes -> {outdir / f'{name}_{suffix}.ctnn'}\n"
                  f"  {result.cpp_type}\n  {result.feeding()}")
        model.double()
        (outdir / f"{name}_type.txt").write_text("\n".join(types) + "\n")


# ------------------------------------------------------------------------------------------------
# Self-test
# ------------------------------------------------------------------------------------------------
def _refused(model, expected, time_steps=None):
    try:
        to_ctnn(model, time_steps=time_steps)
    except UnsupportedModel as e:
        ok = expected in str(e)
        print(f"{'ok  ' if ok else 'FAIL'} refused: {e}")
        return not ok
    print(f"FAIL accepted a model it must refuse ({expected})")
    return 1


def self_test() -> int:
    """Refusals name the problem; the format fields are where serialize.hpp says; the command
    line exits non-zero on a refusal; conversions of every sequence layer match PyTorch's
    layouts and the documented fingerprints."""
    bad = [
        (nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.1), nn.Linear(3, 1)), "Dropout"),
        (nn.Sequential(nn.Conv1d(1, 1, 3)), "time_steps"),
        (nn.Sequential(nn.Linear(2, 3), nn.GELU()), "approximate='tanh'"),
        (nn.Sequential(nn.Linear(2, 3), nn.Softplus(beta=2)), "beta=1"),
        (nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=-1), nn.Linear(3, 1)), "only on the output"),
        (nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=0)), "dim=-1"),
        (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.ReLU()), "two activations"),
        (nn.Sequential(nn.ReLU(), nn.Linear(2, 3)), "before the first layer"),
        (nn.Sequential(nn.Linear(2, 3), nn.Linear(4, 1)), "does not match"),
        (nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)), "BatchNorm1d"),
        (nn.Sequential(), "empty"),
        (nn.Linear(2, 3), "nn.Sequential"),
    ]
    seq = [  # (model, expected text, time_steps)
        (SequenceChain(nn.GRU(3, 4, num_layers=2)), "num_layers=2", 5),
        (SequenceChain(nn.LSTM(3, 4, num_layers=3, batch_first=True)), "num_layers=3", 5),
        (SequenceChain(nn.GRU(3, 4, bidirectional=True)), "bidirectional=True", 5),
        (SequenceChain(nn.LSTM(3, 4, bidirectional=True)), "bidirectional=True", 5),
        (SequenceChain(nn.LSTM(3, 4, proj_size=2)), "proj_size=2", 5),
        (SequenceChain(nn.GRU(3, 4, bias=False)), "bias=False", 5),
        (SequenceChain(nn.LSTM(3, 4, bias=False)), "bias=False", 5),
        (SequenceChain(nn.GRU(3, 4)), "time_steps", None),
        (SequenceChain(nn.GRU(3, 4), nn.Tanh()), "no activation of its own", 5),
        (SequenceChain(nn.GRU(3, 4, batch_first=True), nn.GRU(5, 2, batch_first=True)), "gives 4", 5),
        (SequenceChain(nn.GRU(3, 4, batch_first=True), nn.GRU(4, 2)), "layout (time, batch, channels)", 5),
        (SequenceChain(nn.GRU(3, 4), LastStep(1)), "dim=1 is not the time axis", 5),
        (SequenceChain(nn.GRU(3, 4), LastStep(0), LastStep(0)), "already a vector", 5),
        (SequenceChain(nn.GRU(3, 4), LastStep(0), nn.GRU(4, 4)), "is a vector here", 5),
        (SequenceChain(nn.Conv1d(2, 3, 3, padding=1, stride=2)), "padding=(1,)", 9),
        (SequenceChain(nn.Conv1d(2, 3, 4, padding=1)), "padding=(1,)", 9),
        (SequenceChain(nn.Conv1d(2, 3, 3, padding=1, padding_mode="reflect")), "padding_mode='reflect'", 9),
        (SequenceChain(nn.Conv1d(2, 4, 3, groups=2)), "groups=2", 9),
        (SequenceChain(nn.ConstantPad1d((2, 0), 0.0), nn.Conv1d(2, 3, 3, dilation=2)), "exactly", 9),
        (SequenceChain(nn.ConstantPad1d((1, 1), 0.0), nn.Conv1d(2, 3, 3)), "left of the time axis", 9),
        (SequenceChain(nn.ConstantPad1d((2, 0), 0.0), nn.ReLU()), "right after it", 9),
        (SequenceChain(CausalConv1d(nn.Conv1d(2, 3, 3, padding=1))), "padding=0 on the Conv1d", 9),
        (SequenceChain(nn.Conv1d(2, 3, 5, dilation=3)), "longer than the 9 steps", 9),
        (SequenceChain(nn.Conv1d(2, 3, 3), nn.Softmax(dim=1)), "element-wise", 9),
        (SequenceChain(nn.Conv1d(2, 3, 3), nn.Linear(7, 2)), "time axis here", 9),
        (SequenceChain(nn.Conv1d(2, 3, 3), nn.GRU(3, 2, batch_first=True)), "insert Transpose", 9),
        (SequenceChain(nn.LSTM(2, 3), nn.Linear(3, 2), nn.Softmax(dim=0)), "dim=-1", 4),
    ]
    failures = sum(_refused(m, e) for m, e in bad)
    failures += sum(_refused(m, e, t) for m, e, t in seq)
    nan_model = nn.Sequential(nn.Linear(2, 2))
    with torch.no_grad():
        nan_model[0].weight[0, 0] = float("nan")
    failures += _refused(nan_model, "NaN")

    # A 1-1 identity network: the exact blob serialize.hpp documents (version 2).
    m = nn.Sequential(nn.Linear(1, 1))
    with torch.no_grad():
        m[0].weight.fill_(1.5)
        m[0].bias.fill_(-2.0)
    blob, cpp_type = to_ctnn(m)
    documented = bytes.fromhex("43544E4E02000100A6EAC8F9D996DBB308000000" "42C4B314" "0000C03F000000C0")
    checks = [
        (blob == documented, "the whole blob of serialize.hpp's example"),
        (struct.unpack_from("<I", blob, 20)[0] == zlib.crc32(blob[:20] + blob[24:]), "CRC-32 of header and payload"),
        (cpp_type == "ctnn::network<float, ctnn::input<1>, ctnn::dense<1, ctnn::identity>>", "C++ type"),
        (_ratio(0.01, "", "").denominator == 100, "0.01 = 1/100"),
        (to_ctnn(nn.Sequential(nn.Linear(2, 2), nn.LeakyReLU()))[1].endswith("ctnn::leaky_relu<1, 100>>>"),
         "default LeakyReLU"),
        (hex_literal(-0.1, "float32") == "-0x1.99999ap-4f", "hex literal of -0.1f"),
        (hex_literal(1.401298464324817e-45, "float32") == "0x0.000002p-126f", "smallest float subnormal"),
        (hex_literal(-0.0, "float32") == "-0x0p+0f" and hex_literal(1.0, "float64") == "0x1p+0",
         "zeros and one"),
        (hex_literal(0.1, "float64") == "0x1.999999999999ap-4", "hex literal of 0.1"),
    ]

    # Sequence layers: the spellings, the payload in PyTorch's order and the fingerprints
    # written out from each layer's `fingerprint(h)`.
    torch.manual_seed(5)
    gru = SequenceChain(nn.GRU(3, 4, batch_first=True), LastStep(1), nn.Linear(4, 2), nn.Softmax(dim=-1))
    r = convert(gru, "float64", 6)
    want = torch.cat([gru[0].weight_ih_l0.reshape(-1), gru[0].weight_hh_l0.reshape(-1), gru[0].bias_ih_l0,
                      gru[0].bias_hh_l0, gru[2].weight.reshape(-1), gru[2].bias]).double().tolist()
    checks += [
        (r.cpp_type == "ctnn::network<double, ctnn::input<6, 3>, ctnn::gru<4>, ctnn::last_step, "
                       "ctnn::dense<2, ctnn::softmax>>", "GRU classifier's type"),
        (list(struct.unpack(f"<{len(want)}d", r.blob[24:])) == want, "GRU payload in state_dict order"),
        (r.input_layout == "NTC", "batch_first GRU reads (batch, time, channels)"),
    ]
    lstm = SequenceChain(nn.LSTM(2, 5), nn.Linear(5, 1))
    r = convert(lstm, "float32", 10)
    checks += [
        (r.cpp_type == "ctnn::network<float, ctnn::input<10, 2>, ctnn::lstm<5>, "
                       "ctnn::time_distributed<ctnn::dense<1, ctnn::identity>>>", "LSTM seq2seq's type"),
        (r.input_layout == "TNC", "batch_first=False LSTM reads (time, batch, channels)"),
        (len(r.blob) == 24 + 4 * (4 * 5 * (2 + 5 + 2) + 5 + 1), "LSTM blob length"),
    ]
    conv = SequenceChain(CausalConv1d(nn.Conv1d(2, 4, 3, dilation=2)), nn.Tanh(),
                         nn.Conv1d(4, 3, 3, dilation=3, padding=3), nn.Conv1d(3, 2, 2, stride=2),
                         Transpose(1, 2), nn.Linear(2, 1))
    r = convert(conv, "float32", 12)
    w = conv[0].conv.weight
    checks += [
        (r.cpp_type == "ctnn::network<float, ctnn::input<12, 2>, "
                       "ctnn::conv1d<4, 3, ctnn::tanh, 2, 1, ctnn::padding::causal>, "
                       "ctnn::conv1d<3, 3, ctnn::identity, 3, 1, ctnn::padding::same>, "
                       "ctnn::conv1d<2, 2, ctnn::identity, 1, 2, ctnn::padding::valid>, "
                       "ctnn::time_distributed<ctnn::dense<1, ctnn::identity>>>", "Conv1d stack's type"),
        (list(struct.unpack("<3f", r.blob[24:36])) == w[0, 0].tolist(), "Conv1d weight (out, in, k) flattened"),
        (r.input_layout == "NCT", "Conv1d reads (batch, channels, time)"),
        (convert(SequenceChain(Transpose(1, 2), nn.Conv1d(2, 3, 3)), "float32", 5).input_layout == "NTC",
         "a Transpose before the first conv: the input is (batch, time, channels)"),
        (convert(SequenceChain(nn.Linear(2, 3), nn.Tanh(), nn.GRU(3, 4)), "float32", 5).cpp_type ==
         "ctnn::network<float, ctnn::input<5, 2>, ctnn::time_distributed<ctnn::dense<3, ctnn::tanh>>, "
         "ctnn::gru<4>>", "a Linear on every step before a batch_first=False GRU"),
    ]
    # The fingerprint of network<float, input<T, 3>, gru<4>, last_step, dense<2, softmax>>:
    # u64(3) text("gru") u64(3) u64(4) text("last_step") u64(4) text("dense") u64(4) u64(2)
    # text("softmax") u64(0), hashed independently of fingerprint().
    def fnv(parts):
        h = 0xCBF29CE484222325
        for b in b"".join(parts):
            h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
        return h

    def q(v):
        return struct.pack("<Q", v)

    def s(t):
        return q(len(t)) + t.encode()

    expect = fnv([q(3), s("gru"), q(3), q(4), s("last_step"), q(4), s("dense"), q(4), q(2), s("softmax"), q(0)])
    checks.append((fingerprint(_layers(gru, 6).layers) == expect, "GRU classifier's fingerprint"))

    # The command line: a refused model exits 1 and names the reason; a good one writes files.
    with tempfile.TemporaryDirectory() as tmp:
        bad_path, good_path = Path(tmp) / "bad.pt", Path(tmp) / "good.pt"
        torch.save(SequenceChain(nn.GRU(3, 4, num_layers=2)), bad_path)
        torch.save(gru, good_path)
        run = subprocess.run([sys.executable, __file__, str(bad_path), "--time-steps", "6"],
                             capture_output=True, text=True)
        checks.append((run.returncode == 1 and "num_layers=2" in run.stderr,
                       f"command line refuses num_layers=2 (exit {run.returncode}: {run.stderr.strip()})"))
        out = Path(tmp) / "good.ctnn"
        run = subprocess.run([sys.executable, __file__, str(good_path), "--time-steps", "6", "--dtype", "float64",
                              "-o", str(out), "--header", str(Path(tmp) / "good.hpp")],
                             capture_output=True, text=True)
        checks.append((run.returncode == 0 and out.read_bytes() == convert(gru, "float64", 6).blob
                       and "ctnn::gru<4>" in run.stdout and (Path(tmp) / "good.hpp").exists(),
                       f"command line converts a saved GRU model (exit {run.returncode})"))
    for ok, what in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {what}")
        failures += not ok
    print("self-test:", "PASS" if failures == 0 else f"{failures} FAILED")
    return 1 if failures else 0


def convert_file(args) -> int:
    model = torch.load(args.model, map_location="cpu")
    if hasattr(model, "eval"):
        model.eval()
    result = convert(model, args.dtype, args.time_steps)
    out = args.output or args.model.with_suffix(".ctnn")
    out.write_bytes(result.blob)
    print(f"{out}: {len(result.blob)} bytes\n{result.cpp_type}\n{result.feeding()}")
    if args.header:
        args.header.write_text(result.header(namespace=args.namespace, name=args.name))
        print(f"{args.header}: {args.namespace}::{args.name} (ctnn::export_header's text)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", type=Path, help="a model saved with torch.save(model, path)")
    parser.add_argument("--time-steps", type=int, help="the window length of a sequence model")
    parser.add_argument("--dtype", choices=sorted(ELEMENT), default="float32")
    parser.add_argument("-o", "--output", type=Path, help="the blob (default: MODEL with suffix .ctnn)")
    parser.add_argument("--header", type=Path, help="also write the constexpr C++ header here")
    parser.add_argument("--namespace", default="trained")
    parser.add_argument("--name", default="network")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--demo", type=Path, metavar="OUTDIR", help="export the dense demo model and test cases")
    group.add_argument("--sequence-demo", type=Path, metavar="OUTDIR",
                       help="export the GRU, LSTM and Conv1d demo models and test cases")
    group.add_argument("--self-test", action="store_true", help="check refusals and the format")
    args = parser.parse_args()
    if (args.model is None) == (args.demo is None and args.sequence_demo is None and not args.self_test):
        parser.error("give one of MODEL, --demo, --sequence-demo, --self-test")
    if torch is None:
        print("torch_to_ctnn.py: PyTorch (python3-torch) is not installed", file=sys.stderr)
        return 2
    try:
        if args.self_test:
            return self_test()
        if args.demo:
            demo(args.demo)
        elif args.sequence_demo:
            sequence_demo(args.sequence_demo)
        else:
            return convert_file(args)
        return 0
    except UnsupportedModel as e:
        print(f"torch_to_ctnn.py: cannot convert: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
