// EXPECT: needs every activation to have
#include <array>
#include <cstddef>

#include <ctnn/serialize.hpp>

struct square {  // a user-defined activation
#ifndef CTNN_SHOULD_FAIL
  static constexpr std::string_view name = "square";  // the fingerprint needs it
#endif
  static constexpr bool elementwise = true;
  template <ctnn::Scalar T> static constexpr T value(T z) noexcept { return z * z; }
  template <ctnn::Scalar T> static constexpr T derivative(T z, T) noexcept { return T(2) * z; }
};
using net_t = ctnn::network<float, ctnn::input<2>, ctnn::dense<1, square>>;
ctnn::status save_into(const net_t& n, ctnn::blob<net_t>& out) { return ctnn::save(n, out); }
