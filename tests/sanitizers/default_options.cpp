// Default options of the sanitizer runtimes, linked into every executable of a
// -DSHARPSCOPE_SANITIZE build (CMakeLists.txt sharpscope_instrument), so that the tests, their
// discovery at build time and the CLI run with the same settings without any environment.
// ASAN_OPTIONS / UBSAN_OPTIONS / LSAN_OPTIONS still override them.
extern "C" {

// Findings end the process with a report (a test that trips one fails).
const char* __asan_default_options() { return "abort_on_error=1:detect_leaks=1"; }

const char* __ubsan_default_options() { return "print_stacktrace=1:halt_on_error=1"; }

// tests/sanitizers/lsan.supp: LibTorch's own allocations, each with its reason.
const char* __lsan_default_options() {
  return "print_suppressions=0:suppressions=" SHARPSCOPE_LSAN_SUPPRESSIONS;
}
}
