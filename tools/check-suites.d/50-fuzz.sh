# tools/check-suites.d/50-fuzz.sh (sourced by tools/check): build every
# libFuzzer target with clang and run each for QVIRT_FUZZ_SECONDS (60 s by
# default; --quick skips fuzzing). A crash fails the step.
if [ "$quick" = no ] && [ -x "$top/tools/build-fuzzers" ]; then
    fuzzdir="$builddir/fuzz-bin"
    step "fuzz-build" "$top/tools/build-fuzzers" "$fuzzdir" "$builddir"
    if [ -x "$top/tools/run-fuzzers" ] && [ -d "$fuzzdir" ]; then
        step "fuzz-run" "$top/tools/run-fuzzers" "$fuzzdir" "${QVIRT_FUZZ_SECONDS:-60}"
    fi
fi
