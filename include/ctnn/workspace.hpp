// SPDX-License-Identifier: MIT
/// @file workspace.hpp Defines ctnn::training_workspace, the caller-owned working memory of
/// ctnn::fit and ctnn::train_batch, and ctnn::training_bytes, its size.
///
/// Training needs memory besides the network, the data and the optimiser state: a trace of one
/// sample's forward pass, the gradients, the batch tile of batched execution, and the last good
/// epoch's network and optimiser state (fit rolls back to them when training diverges). All of
/// it is sized at compile time. Without a workspace, fit and train_batch keep it in their own
/// stack frames; firmware with a small stack passes a workspace in static storage instead:
///
///     static ctnn::training_workspace<net_t, ctnn::adam<float>> ws;  // .bss, not the stack
///     ctnn::fit(net, X, Y, loss, opt, state, ws, {.epochs = 10, .batch_size = 8});
///
/// The results are the same bits either way.
#pragma once

#include <cstddef>

#include <ctnn/backward.hpp>
#include <ctnn/batch.hpp>
#include <ctnn/network.hpp>
#include <ctnn/optimizer.hpp>

namespace ctnn {

namespace detail {

/// Samples per tile of a workspace for mini-batches of BatchSize samples: the smaller of
/// BatchSize and ctnn::batch_tile, or 0 (no tile: one sample at a time) when the target has no
/// batched execution (batch_tile 1), Net's layers have no tile kernels, or a tile would hold a
/// single sample.
template <class Net, std::size_t BatchSize>
inline constexpr std::size_t workspace_tile = [] {
  const std::size_t b = BatchSize < batch_tile ? BatchSize : batch_tile;
  return (tileable_layers<Net> && b > 1) ? b : std::size_t{0};
}();

/// A tile of batched execution: its batch_trace and the output layer's dL/dz. Nothing when
/// B is 0.
template <class Net, std::size_t B>
struct tile_memory {
  batch_trace<Net, B> trace;                              ///< inputs, z, a, scratch of B samples
  typename batch_trace<Net, B>::output_block output_delta;  ///< dL/dz of the output layer
};
template <class Net>
struct tile_memory<Net, 0> {};

}  // namespace detail

/// The working memory of one training step (ctnn::train_batch) besides the gradients: the
/// trace of one sample (the per-sample path, and the fused one-sample descent step), its
/// output delta, and the batch tile when Tile > 0.
/// @tparam Net a ctnn::network  @tparam Tile samples per tile (0: no batched execution)
template <class Net, std::size_t Tile>
struct step_workspace {
  static constexpr std::size_t tile = Tile;
  typename Net::trace_type trace;                             ///< one sample's forward pass
  typename Net::output_type output_delta;                     ///< its dL/dz (or dL/dy)
  [[no_unique_address]] detail::tile_memory<Net, Tile> batch;  ///< the batch tile, if any
};

/// Everything ctnn::fit and ctnn::train_batch need besides the network, the data and the
/// optimiser state, owned by the caller: a plain, trivially copyable aggregate of arrays. Put
/// it in static storage (or anywhere) and pass it by reference; then fit and train_batch keep
/// only a few scalars and loop variables on the stack. `sizeof(training_workspace<Net, Opt,
/// BatchSize>) == ctnn::training_bytes<Net, Opt, BatchSize>`.
///
/// Nothing needs initialising: fit and train_batch write every member before they read it.
///
/// @tparam Net a ctnn::network  @tparam Opt its optimiser (its state type is snapshotted)
/// @tparam BatchSize the mini-batch size it is meant for: the batch tile holds
///         min(BatchSize, ctnn::batch_tile) samples. Any batch size works with any workspace
///         (larger batches run in several tiles) and gives the same bits; BatchSize only
///         trades memory for speed. The default, ctnn::batch_tile, is the largest useful tile.
template <class Net, class Opt, std::size_t BatchSize = batch_tile>
struct training_workspace {
  using network_type = Net;
  using optimizer_type = Opt;
  using state_type = typename Opt::template state<Net>;
  /// Samples per batch tile (0: this workspace trains one sample at a time).
  static constexpr std::size_t tile = detail::workspace_tile<Net, BatchSize>;

  gradients<Net> grads;                ///< the mean gradient of a batch
  step_workspace<Net, tile> step;      ///< trace, output delta, batch tile
  Net good_net;                        ///< fit: the last good epoch's network
  state_type good_state;               ///< fit: the last good epoch's optimiser state
};

/// Bytes of working memory ctnn::fit and ctnn::train_batch use besides the network, the data
/// and the optimiser state (the caller's): a trace, the gradients, the batch tile of
/// min(BatchSize, ctnn::batch_tile) samples and its output delta (none on targets without
/// batched execution), and the last-good snapshots of network and optimiser state. It is the
/// size of ctnn::training_workspace; fit and train_batch without a workspace put one on their
/// stack. (Beyond it they use a few hundred bytes of stack: scalars, and for the fused
/// one-sample descent step two vectors of the layers' widths.)
template <class Net, class Opt, std::size_t BatchSize = batch_tile>
inline constexpr std::size_t training_bytes = sizeof(training_workspace<Net, Opt, BatchSize>);

}  // namespace ctnn
