// SPDX-License-Identifier: MIT
// tests/export/generate: writes the reference networks as one C++ header (ctnn::export_header),
// which check.cpp compiles. Usage: export.generate <output header path>
#include <cstdio>

#include <ctnn/export.hpp>

#include "reference_nets.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output.hpp>\n", argv[0]);
    return 2;
  }
  std::FILE* f = std::fopen(argv[1], "w");
  if (f == nullptr) {
    std::perror(argv[1]);
    return 1;
  }
  ctnn::file_sink sink{f};
  const ctnn::status a = ctnn::export_header(
      export_test::make_a(), sink,
      {.namespace_name = "exported_a", .name = "net", .comment = "float: tanh, leaky_relu, softmax"});
  const ctnn::status b = ctnn::export_header(
      export_test::make_b(), sink,
      {.namespace_name = "exported_b", .name = "net", .comment = "double: six activations"});
  // The same header may be included twice (#pragma once appears three times: harmless).
  const ctnn::status c = ctnn::export_header(
      export_test::make_c(), sink,
      {.namespace_name = "exported_c", .name = "corners", .comment = "float corner values"});
  const bool closed = std::fclose(f) == 0;
  if (a != ctnn::status::ok || b != ctnn::status::ok || c != ctnn::status::ok || !sink.ok || !closed) {
    std::fprintf(stderr, "export failed: %s / %s / %s, write %s\n", ctnn::message(a),
                 ctnn::message(b), ctnn::message(c), sink.ok && closed ? "ok" : "failed");
    return 1;
  }
  return 0;
}
