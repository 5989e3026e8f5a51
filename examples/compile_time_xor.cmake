# Training XOR in a constant expression needs more evaluation steps than clang's default
# (1,048,576); g++ 12's default -fconstexpr-ops-limit (2^25 = 33,554,432 operations) suffices for
# this small one.
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  target_compile_options(${ctnn_target} PRIVATE -fconstexpr-steps=100000000)
endif()
