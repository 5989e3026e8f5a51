#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Convert a PyTorch nn.Sequential of Linear layers and activations into ctnn's binary format.

The blob loads with ctnn::load into the matching ctnn::network<...> type, whose C++ spelling
this script prints; the topology fingerprint in the blob makes a mismatched type fail with
ctnn::status::topology_mismatch. Format: see the table at the top of include/ctnn/serialize.hpp.

Supported modules (nested nn.Sequential is flattened):
  nn.Linear (bias or not)   -> one ctnn::dense layer (no bias: b = 0)
  followed by at most one of
  nn.Identity (or nothing)  -> ctnn::identity
  nn.Sigmoid                -> ctnn::sigmoid
  nn.Tanh                   -> ctnn::tanh
  nn.ReLU                   -> ctnn::relu
  nn.LeakyReLU(slope)       -> ctnn::leaky_relu<Num, Den>   (slope = Num/Den, from its decimal repr)
  nn.ELU(alpha)             -> ctnn::elu<Num, Den>
  nn.Softplus(beta=1, threshold>=20) -> ctnn::softplus
  nn.GELU(approximate='tanh')        -> ctnn::gelu
  nn.Softmax(dim=-1 or 1), last only -> ctnn::softmax
Anything else is refused with a message naming the module and its position.

Usage:
  torch_to_ctnn.py --demo OUTDIR      build the demo model, write OUTDIR/model_f32.ctnn,
                                      model_f64.ctnn, cases_f32.bin, cases_f64.bin, model_type.txt
  torch_to_ctnn.py --self-test        check the refusals and the format (no files written)
As a library: blob, cpp_type = to_ctnn(model, dtype="float32").
"""
import argparse
import struct
import sys
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
FORMAT_VERSION = 1
ELEMENT = {"float32": (1, "<f", "float"), "float64": (2, "<d", "double")}
SUPPORTED = ("Linear, and after each Linear at most one of Identity, Sigmoid, Tanh, ReLU, "
             "LeakyReLU, ELU, Softplus(beta=1, threshold>=20), GELU(approximate='tanh'), "
             "Softmax(dim=-1) (last layer only)")
INT64_MAX = 2**63 - 1


class UnsupportedModel(ValueError):
    """The model cannot be expressed as a ctnn::network."""


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


def _activation(module, position: int, last: bool):
    """(fingerprint name, integer parameters, C++ spelling) of an activation module."""
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
        if module.dim not in (-1, 1):
            raise UnsupportedModel(f"{where}: ctnn::softmax normalises the feature dimension; "
                                   f"use nn.Softmax(dim=-1) (got dim={module.dim})")
        if not last:
            raise UnsupportedModel(f"{where}: ctnn allows softmax only on the output layer")
        return "softmax", [], "ctnn::softmax"
    return None


def _layers(model):
    """[(weight, bias, name, params, spelling)] for each Linear and its activation."""
    if torch is None:
        raise UnsupportedModel("PyTorch is not installed")
    if not isinstance(model, nn.Sequential):
        raise UnsupportedModel(f"the model must be an nn.Sequential, not {type(model).__name__}")
    modules = list(_flatten(model))
    if not modules:
        raise UnsupportedModel("the nn.Sequential is empty")
    layers = []
    for position, m in enumerate(modules):
        last = position == len(modules) - 1
        where = f"module {position} ({type(m).__name__})"
        if isinstance(m, nn.Linear):
            if layers and layers[-1]["weight"].shape[0] != m.in_features:
                raise UnsupportedModel(f"{where}: in_features={m.in_features} does not match the "
                                       f"previous Linear's out_features={layers[-1]['weight'].shape[0]}")
            w = m.weight.detach().cpu().double()
            b = m.bias.detach().cpu().double() if m.bias is not None else torch.zeros(m.out_features,
                                                                                      dtype=torch.float64)
            layers.append({"weight": w, "bias": b, "act": None})
            continue
        act = _activation(m, position, last)
        if act is None:
            hint = " (it is the identity in eval mode: remove it before exporting)" \
                if isinstance(m, nn.Dropout) else ""
            raise UnsupportedModel(f"{where} is not supported by ctnn{hint}; supported: {SUPPORTED}")
        if not layers:
            raise UnsupportedModel(f"{where}: an activation before the first Linear has no ctnn "
                                   f"equivalent (every ctnn layer is dense, then activation)")
        if layers[-1]["act"] is not None:
            raise UnsupportedModel(f"{where}: two activations in a row; ctnn has one activation per "
                                   f"dense layer")
        layers[-1]["act"] = act
    for layer in layers:
        if layer["act"] is None:
            layer["act"] = ("identity", [], "ctnn::identity")
    return layers


def fingerprint(layers) -> int:
    """64-bit FNV-1a over the documented byte string (serialize.hpp)."""
    h = 0xCBF29CE484222325
    data = bytearray()

    def u64(v: int) -> None:
        data.extend(struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF))

    u64(len(layers))
    for layer in layers:
        out_features, in_features = layer["weight"].shape
        name, params, _ = layer["act"]
        u64(in_features)
        u64(out_features)
        u64(len(name))
        data.extend(name.encode("ascii"))
        u64(len(params))
        for p in params:
            u64(p)
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def to_ctnn(model, dtype: str = "float32"):
    """(blob bytes, C++ type) for an nn.Sequential; raises UnsupportedModel with the reason."""
    if dtype not in ELEMENT:
        raise UnsupportedModel(f"dtype must be one of {sorted(ELEMENT)}")
    code, fmt, cpp_element = ELEMENT[dtype]
    layers = _layers(model)
    payload = bytearray()
    for i, layer in enumerate(layers):
        for name, tensor in (("weight", layer["weight"]), ("bias", layer["bias"])):
            if not torch.isfinite(tensor).all():
                raise UnsupportedModel(f"Linear layer {i}: its {name} holds NaN or infinity")
            values = tensor.to(torch.float32 if dtype == "float32" else torch.float64).reshape(-1).tolist()
            payload.extend(struct.pack("<" + fmt[1] * len(values), *values))
    header = struct.pack("<4sHBBQII", MAGIC, FORMAT_VERSION, code, 0, fingerprint(layers),
                         len(payload), zlib.crc32(payload) & 0xFFFFFFFF)
    assert len(header) == 24
    inputs = layers[0]["weight"].shape[1]
    specs = "".join(f", ctnn::dense<{layer['weight'].shape[0]}, {layer['act'][2]}>" for layer in layers)
    cpp_type = f"ctnn::network<{cpp_element}, ctnn::input<{inputs}>{specs}>"
    return bytes(header + payload), cpp_type


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
    """'CTNNCASE', u32 element code, u32 count, u32 inputs, u32 outputs, inputs, outputs."""
    code, fmt, _ = ELEMENT[dtype]
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


def self_test() -> int:
    """Refusals name the problem; the format fields are where serialize.hpp says."""
    bad = [
        (nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.1), nn.Linear(3, 1)), "Dropout"),
        (nn.Sequential(nn.Conv1d(1, 1, 3)), "Conv1d"),
        (nn.Sequential(nn.Linear(2, 3), nn.GELU()), "approximate='tanh'"),
        (nn.Sequential(nn.Linear(2, 3), nn.Softplus(beta=2)), "beta=1"),
        (nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=-1), nn.Linear(3, 1)), "only on the output"),
        (nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=0)), "dim=-1"),
        (nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.ReLU()), "two activations"),
        (nn.Sequential(nn.ReLU(), nn.Linear(2, 3)), "before the first Linear"),
        (nn.Sequential(nn.Linear(2, 3), nn.Linear(4, 1)), "does not match"),
        (nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)), "BatchNorm1d"),
        (nn.Sequential(), "empty"),
        (nn.Linear(2, 3), "nn.Sequential"),
    ]
    failures = 0
    for model, expected in bad:
        try:
            to_ctnn(model)
        except UnsupportedModel as e:
            ok = expected in str(e)
            print(f"{'ok  ' if ok else 'FAIL'} refused: {e}")
            failures += not ok
        else:
            print(f"FAIL accepted a model it must refuse ({expected})")
            failures += 1
    nan_model = nn.Sequential(nn.Linear(2, 2))
    with torch.no_grad():
        nan_model[0].weight[0, 0] = float("nan")
    try:
        to_ctnn(nan_model)
        print("FAIL accepted a NaN weight")
        failures += 1
    except UnsupportedModel as e:
        print(f"ok   refused: {e}")

    # A 1-1 identity network: the exact bytes serialize.hpp's unit test expects.
    m = nn.Sequential(nn.Linear(1, 1))
    with torch.no_grad():
        m[0].weight.fill_(1.5)
        m[0].bias.fill_(-2.0)
    blob, cpp_type = to_ctnn(m)
    expect_start = b"CTNN\x01\x00\x01\x00"
    checks = [
        (blob[:8] == expect_start, "magic, version, element type, content"),
        (struct.unpack_from("<I", blob, 16)[0] == 8, "payload length"),
        (struct.unpack_from("<I", blob, 20)[0] == zlib.crc32(blob[24:]), "CRC-32"),
        (blob[24:] == struct.pack("<ff", 1.5, -2.0), "payload"),
        (cpp_type == "ctnn::network<float, ctnn::input<1>, ctnn::dense<1, ctnn::identity>>", "C++ type"),
        (_ratio(0.01, "", "").denominator == 100, "0.01 = 1/100"),
        (to_ctnn(nn.Sequential(nn.Linear(2, 2), nn.LeakyReLU()))[1].endswith("ctnn::leaky_relu<1, 100>>>"),
         "default LeakyReLU"),
    ]
    for ok, what in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {what}")
        failures += not ok
    print("self-test:", "PASS" if failures == 0 else f"{failures} FAILED")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--demo", type=Path, metavar="OUTDIR", help="export the demo model and test cases")
    group.add_argument("--self-test", action="store_true", help="check refusals and the format")
    args = parser.parse_args()
    if torch is None:
        print("torch_to_ctnn.py: PyTorch (python3-torch) is not installed", file=sys.stderr)
        return 2
    try:
        if args.self_test:
            return self_test()
        demo(args.demo)
        return 0
    except UnsupportedModel as e:
        print(f"torch_to_ctnn.py: cannot convert: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
