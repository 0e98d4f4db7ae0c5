# tools/check-suites.d/10-tsan.sh: the job control suite under ThreadSanitizer.
# Sourced by tools/check (uses $top, $builddir, qvirt_build's configure step
# and record). Builds "$builddir-tsan" with --enable-tsan, runs only
# tests/domainjob/test-domainjob there and records one result per TAP test
# point; any ThreadSanitizer report, or a crash, counts as a failure.

qvirt_check_tsan() {
    local dir="$builddir-tsan"
    local out="$dir/check-tsan.out"
    local p f rc

    echo "== tsan (tests/domainjob)"
    mkdir -p "$dir"
    if [ ! -f "$dir/config.status" ]; then
        (cd "$dir" && "$top/configure" -q --enable-tsan --disable-werror) \
            >"$dir/configure.log" 2>&1 || {
            echo "FAIL: tsan configure (log: $dir/configure.log)"
            record "tsan-build" 0 1
            return
        }
    fi
    if ! make -C "$dir" -j"$(nproc)" -s tests/domainjob/test-domainjob >"$dir/build.log" 2>&1; then
        echo "FAIL: tsan build (log: $dir/build.log)"
        tail -40 "$dir/build.log"
        record "tsan-build" 0 1
        return
    fi

    # halt_on_error=0: report every race, then exit with 66.
    TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
        "$dir/tests/domainjob/test-domainjob" >"$out" 2>&1
    rc=$?
    if grep -q "unexpected memory mapping" "$out"; then
        # Older TSan runtimes cannot cope with high ASLR entropy: retry without it.
        TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
            setarch "$(uname -m)" -R "$dir/tests/domainjob/test-domainjob" >"$out" 2>&1
        rc=$?
    fi
    p=$(grep -c '^ok ' "$out")
    f=$(grep -c '^not ok ' "$out")
    if grep -q 'WARNING: ThreadSanitizer' "$out"; then
        echo "FAIL: ThreadSanitizer reports in $out"
        grep -A20 'WARNING: ThreadSanitizer' "$out" | head -60
        f=$((f + 1))
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1   # crashed or bailed out
    fi
    [ "$f" -gt 0 ] && { grep -E '^(not ok|Bail out)' "$out"; tail -20 "$out"; }
    record "tsan-domainjob" "$p" "$f"
}

qvirt_check_tsan
