// SPDX-License-Identifier: MIT
/// @file status.hpp Defines ctnn::status, the error values of ctnn (no exceptions), and message().
#pragma once

#include <cstdint>

namespace ctnn {

/// Outcome of an operation that can fail on bad input. ctnn never throws: a failing call
/// returns one of these and leaves its arguments as they were (validate, then commit).
enum class status : std::uint8_t {
  ok = 0,
  // training (ctnn::fit)
  stopped_by_callback,  ///< the per-epoch callback returned false
  early_stopped,        ///< no improvement for `patience` epochs
  diverged,             ///< a non-finite loss or gradient; the last good parameters were restored
  non_finite_data,      ///< an input or target holds NaN or infinity; nothing was trained
  empty_dataset,        ///< no samples
  size_mismatch,        ///< inputs and targets differ in count
  invalid_options,      ///< e.g. batch_size == 0
  // serialisation (ctnn::load)
  truncated,              ///< the buffer is shorter than the format needs
  bad_magic,              ///< not a ctnn blob
  unsupported_version,    ///< a format version this build cannot read
  element_type_mismatch,  ///< saved as float, loading into double (or the reverse)
  topology_mismatch,      ///< saved from a network with other layer kinds, sizes or activations
  checksum_mismatch,      ///< the CRC-32 does not match: the blob (header or payload) is corrupted
  non_finite_value,       ///< the payload holds NaN or infinity
  buffer_too_small,       ///< the output buffer cannot hold the blob
  length_mismatch,        ///< the header's payload length disagrees with the network
};

/// A short English sentence for each status (static storage, never allocates).
constexpr const char* message(status s) noexcept {
  switch (s) {
    case status::ok: return "ok";
    case status::stopped_by_callback: return "training stopped by the epoch callback";
    case status::early_stopped: return "training stopped early: no improvement for `patience` epochs";
    case status::diverged:
      return "training diverged (non-finite loss or gradient); the last good parameters were restored";
    case status::non_finite_data: return "the data holds NaN or infinity; nothing was trained";
    case status::empty_dataset: return "the data set is empty";
    case status::size_mismatch: return "inputs and targets have different sample counts";
    case status::invalid_options: return "invalid options (batch_size must be at least 1)";
    case status::truncated: return "the buffer is truncated";
    case status::bad_magic: return "not a ctnn blob (bad magic number)";
    case status::unsupported_version: return "unsupported format version";
    case status::element_type_mismatch: return "element type mismatch (float vs double)";
    case status::topology_mismatch: return "topology mismatch (other layer sizes or activations)";
    case status::checksum_mismatch: return "checksum mismatch: the blob is corrupted";
    case status::non_finite_value: return "the payload holds NaN or infinity";
    case status::buffer_too_small: return "the output buffer is too small";
    case status::length_mismatch: return "the header's payload length does not match the network";
  }
  return "unknown status";
}

}  // namespace ctnn
