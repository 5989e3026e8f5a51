// SPDX-License-Identifier: MIT
// training_cost.hpp: compile-time costs of training that ctnn does not (yet) export.
// ctnn has Net::forward_macs, Net::parameter_bytes, Net::inference_bytes and
// ctnn::training_bytes<Net, Opt>; the multiply-accumulates of a training step are computed here
// from the same layer widths (this belongs next to forward_macs in the library).
#pragma once

#include <cstddef>
#include <cstdint>

namespace training_cost {

/// Multiply-accumulates of one training step on `batch` samples (ctnn::train_batch): per sample a
/// traced forward pass (sum In*Out), the weight gradients dL/dW = delta x^T (sum In*Out) and the
/// back-propagated dL/dx = W^T delta (sum In*Out: ctnn::detail::backprop also computes it for
/// layer 0, whose result training discards). The optimiser's per-parameter work is not a MAC
/// count and is not included.
template <class Net>
constexpr std::size_t step_macs(std::size_t batch) noexcept {
  return batch * 3 * Net::forward_macs;
}

/// A byte count as the console's unsigned type.
constexpr std::uint32_t bytes(std::size_t n) noexcept { return static_cast<std::uint32_t>(n); }

}  // namespace training_cost
