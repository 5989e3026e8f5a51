# Training in a constant expression needs more evaluation steps than clang's default (1,048,576)
# and than g++ 12's default -fconstexpr-ops-limit (2^25).
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  target_compile_options(${ctnn_target} PRIVATE -fconstexpr-steps=200000000)
else()
  target_compile_options(${ctnn_target} PRIVATE -fconstexpr-ops-limit=1000000000)
endif()
