# SPDX-License-Identifier: MIT
# heap_ban.cmake: make heap allocation, exceptions and RTTI unlinkable.
#
#   ctnn_firmware_ban_heap(<target>)
#
# For every symbol S below the link gets -Wl,--wrap=S, and no __wrap_S is ever defined. The
# linker then resolves each undefined reference to S as __wrap_S, which does not exist: any
# surviving call to malloc, operator new, __cxa_throw ... anywhere in the image (user code, ctnn,
# a library) fails the build with "undefined reference to `__wrap_S'", even when a C library
# and the full C++ runtime are on the link line (the negative tests link with both).
#
# Names are for arm-none-eabi: std::size_t is `unsigned int` (mangled `j`).
include_guard(GLOBAL)

set(CTNN_HEAP_BAN_SYMBOLS
  # C allocation (newlib, with its reentrant _r forms and the break it grows)
  malloc calloc realloc free reallocf memalign aligned_alloc posix_memalign valloc pvalloc
  _malloc_r _calloc_r _realloc_r _free_r _memalign_r _reallocf_r _sbrk _sbrk_r
  # operator new / new[]: plain, nothrow, aligned, aligned nothrow
  _Znwj _Znaj
  _ZnwjRKSt9nothrow_t _ZnajRKSt9nothrow_t
  _ZnwjSt11align_val_t _ZnajSt11align_val_t
  _ZnwjSt11align_val_tRKSt9nothrow_t _ZnajSt11align_val_tRKSt9nothrow_t
  # operator delete / delete[]: plain, sized, nothrow, aligned, sized aligned, aligned nothrow
  _ZdlPv _ZdaPv _ZdlPvj _ZdaPvj
  _ZdlPvRKSt9nothrow_t _ZdaPvRKSt9nothrow_t
  _ZdlPvSt11align_val_t _ZdaPvSt11align_val_t
  _ZdlPvjSt11align_val_t _ZdaPvjSt11align_val_t
  _ZdlPvSt11align_val_tRKSt9nothrow_t _ZdaPvSt11align_val_tRKSt9nothrow_t
  # exceptions: the C++ ABI entry points a throw, a catch or a cleanup during unwinding needs
  __cxa_allocate_exception __cxa_free_exception __cxa_throw __cxa_rethrow
  __cxa_begin_catch __cxa_end_catch __cxa_get_exception_ptr __cxa_current_exception_type
  __cxa_call_unexpected __cxa_call_terminate __gxx_personality_v0
  _Unwind_Resume _Unwind_RaiseException _Unwind_Resume_or_Rethrow
  __aeabi_unwind_cpp_pr0 __aeabi_unwind_cpp_pr1 __aeabi_unwind_cpp_pr2
  _ZSt9terminatev
  # libstdc++'s throw helpers (std::array::at, std::vector growth, std::function, casts ...)
  _ZSt17__throw_bad_allocv _ZSt28__throw_bad_array_new_lengthv _ZSt20__throw_length_errorPKc
  _ZSt20__throw_out_of_rangePKc _ZSt24__throw_out_of_range_fmtPKcz _ZSt19__throw_logic_errorPKc
  _ZSt24__throw_invalid_argumentPKc _ZSt25__throw_bad_function_callv _ZSt16__throw_bad_castv
  # RTTI: every type_info object of a class points at one of these vtables; dynamic_cast and
  # typeid failures call the rest
  _ZTVN10__cxxabiv117__class_type_infoE _ZTVN10__cxxabiv120__si_class_type_infoE
  _ZTVN10__cxxabiv121__vmi_class_type_infoE _ZTVN10__cxxabiv119__pointer_type_infoE
  _ZTVN10__cxxabiv123__fundamental_type_infoE
  __dynamic_cast __cxa_bad_cast __cxa_bad_typeid
)

function(ctnn_firmware_ban_heap target)
  foreach(symbol IN LISTS CTNN_HEAP_BAN_SYMBOLS)
    target_link_options(${target} PRIVATE "LINKER:--wrap=${symbol}")
  endforeach()
endfunction()
