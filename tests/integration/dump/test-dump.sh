#!/bin/bash
# tests/integration/dump/test-dump.sh: core dumps of the running test guest
# through one session qvirtd and the stock virsh (issue #12); TAP.
# Harness: ../migration/lib.sh (sourced): one daemon (side a), one guest.
#
# The daemon's qemu.conf sets save_max_bandwidth = 32 (MiB/s), which also
# throttles the copy of a memory-only dump, so an ELF dump of the 256 MiB
# guest lasts about 8 s: long enough to watch its progress and abort it.
#
# Cases:
# - a memory-only ELF dump is a readable ELF core: magic, ELFCLASS64,
#   ET_CORE, EM_X86_64, PT_LOAD segments adding up to the guest's RAM; the
#   guest, paused by the job, runs on afterwards (heartbeat continues), and
#   domjobinfo --completed says the dump completed;
# - domjobinfo shows a running dump and its progress moving;
# - kdump-zlib writes the makedumpfile flat header; --live keeps the guest
#   running; --reset reboots the guest after the dump;
# - a full dump (QEMU's migration stream) begins with QEMU's "QEVM" magic
#   and the guest runs on;
# - domjobabort during a dump (memory-only, then full): the dump fails, no
#   file (not even a hidden temporary one) is left in the folder, the guest
#   runs on, no job left;
# - bad requests fail and leave no file: mutually exclusive flags, a
#   format without --memory-only, a format QEMU does not offer
#   (kdump-lzo), a missing folder, win-dmp of a Linux guest (QEMU's
#   reason is given);
# - --crash leaves the domain shut off with reason crashed and no QEMU.
# Every daemon and QEMU started is stopped by PID at exit (lib.sh). A
# failed run keeps its logs in tests/integration/dump/test-dump.logs under
# make check.
set -u
if [ -z "${MT_KEEP_LOGS:-}" ] && [ -n "${QVIRT_TEST_BUILDDIR:-}" ]; then
    MT_KEEP_LOGS=$QVIRT_TEST_BUILDDIR/integration/dump/test-dump.logs
fi
. "$(dirname "$0")/../migration/lib.sh"

mt_setup
command -v python3 >/dev/null 2>&1 || mt_skip_all "python3 (the ELF header reader) is not installed"

DOM=dumpvm
RAM_BYTES=$((262136 * 1024))
OUT=$MT_T/dumps

serial() { mt_serial a "$DOM"; }
state() { mt_domstate a "$DOM"; }
job_active() { mt_job_active a "$DOM"; }

# The files in the dump folder, hidden ones included, one per line.
dump_files() { ls -A "$OUT" 2>/dev/null; }

# expect_no_files WHAT: the dump folder is empty.
expect_no_files() {
    local left
    left=$(dump_files | tr '\n' ' ')
    [ -z "$left" ] || mt_fail "$1 left files in the dump folder: $left"
}

# expect_running_on: the guest is running and its heartbeat moves on.
expect_running_on() {
    local last
    mt_wait_cond 20 eval '[ "$(state)" = running ]' ||
        { mt_fail "$1: the guest is '$(state)', not running"; return 1; }
    last=$(mt_hb_last "$(serial)")
    mt_wait_hb "$(serial)" $((${last:-0} + 2)) 30 ||
        mt_fail "$1: the heartbeat stopped at ${last:-nothing}"
}

# expect_no_job: domjobinfo reports no job.
expect_no_job() {
    mt_run mt_virsh a domjobinfo "$DOM" || { mt_fail "$1: domjobinfo failed"; return 1; }
    grep -q '^Job type: *None' "$MT_OUT" || mt_fail "$1: a job is left: $(tr '\n' ' ' <"$MT_OUT")"
}

# elf_check FILE: prints "ok" when FILE is an x86-64 ELF core whose PT_LOAD
# segments add up to the guest's RAM (within 1 MiB below, nothing above
# plus 1 MiB of ROM and holes), else why not.
elf_check() {
    python3 - "$1" "$RAM_BYTES" <<'PY'
import struct, sys
path, ram = sys.argv[1], int(sys.argv[2])
with open(path, "rb") as f:
    h = f.read(64)
    if len(h) < 64 or h[:4] != b"\x7fELF":
        print("no ELF magic"); sys.exit()
    if h[4] != 2:
        print("not ELFCLASS64 (%d)" % h[4]); sys.exit()
    e_type, e_machine = struct.unpack_from("<HH", h, 16)
    if e_type != 4:
        print("e_type %d is not ET_CORE" % e_type); sys.exit()
    if e_machine != 62:
        print("e_machine %d is not x86-64" % e_machine); sys.exit()
    e_phoff, = struct.unpack_from("<Q", h, 32)
    e_phentsize, e_phnum = struct.unpack_from("<HH", h, 54)
    total = 0
    loads = 0
    for i in range(e_phnum):
        f.seek(e_phoff + i * e_phentsize)
        p_type, = struct.unpack("<I", f.read(4))
        f.seek(e_phoff + i * e_phentsize + 32)
        p_filesz, = struct.unpack("<Q", f.read(8))
        if p_type == 1:
            loads += 1
            total += p_filesz
    if loads == 0:
        print("no PT_LOAD segment"); sys.exit()
    if not (ram - (1 << 20) <= total <= ram + (1 << 20)):
        print("PT_LOAD segments hold %d bytes, the guest has %d" % (total, ram)); sys.exit()
print("ok")
PY
}

# The "Memory processed" of domjobinfo in bytes (virsh prints MiB etc.).
mem_processed() {
    mt_virsh a domjobinfo "$DOM" 2>/dev/null | awk '
        /^Memory processed:/ {
            v = $3; u = $4
            if (u == "KiB") v *= 1024; else if (u == "MiB") v *= 1048576
            else if (u == "GiB") v *= 1073741824
            printf "%d\n", v
        }'
}

# ---- the daemon and the guest ----
mt_begin "a session qvirtd starts and the test guest boots"
if mt_daemon_start a; then
    # Throttled dumps (see the header), and a daemon restart picks it up.
    echo "save_max_bandwidth = 32" >>"$MT_T/a/config/qvirt/qemu.conf"
    mt_daemon_stop a
    # The variable assignments split into words on purpose.
    # shellcheck disable=SC2046
    env $(mt_side_env a) "$MT_QVIRTD" --session --pid-file "$MT_T/a/qvirtd.pid" >"$MT_OUT" 2>&1 ||
        mt_fail "qvirtd a did not restart: $(cat "$MT_OUT")"
    mkdir -p "$OUT"
    mt_guest_xml "$DOM" 4 >"$MT_T/$DOM.xml"
    mt_guest_boot a "$MT_T/$DOM.xml" "$DOM"
else
    mt_fail "qvirtd a did not start: $(cat "$MT_OUT")"
fi
if ! mt_end; then
    echo "Bail out! no daemon or no guest"
    exit 1
fi

# ---- a memory-only ELF dump, its progress, the guest resumed ----
mt_begin "memory-only ELF dump: an x86-64 ELF core of the RAM, progress shown, guest resumed"
f=$OUT/core.elf
mt_virsh a dump "$DOM" "$f" --memory-only >"$MT_T/dump.out" 2>&1 &
bg=$!
mt_bg_add $bg
if mt_wait_cond 30 job_active; then
    [ "$(state)" = "paused" ] || mt_fail "during a dump without --live the guest is '$(state)'"
    mt_run mt_virsh a domstate "$DOM" --reason
    grep -q 'dump' "$MT_OUT" || mt_fail "the pause reason is not dump: $(cat "$MT_OUT")"
    mt_run mt_virsh a domjobinfo "$DOM"
    grep -q '^Operation: *Dump' "$MT_OUT" ||
        mt_fail "domjobinfo names no dump: $(tr '\n' ' ' <"$MT_OUT")"
    p1=$(mem_processed)
    mt_wait_cond 10 eval '[ "$(mem_processed)" -gt "${p1:-0}" ] 2>/dev/null' ||
        mt_fail "the progress in domjobinfo did not move (first ${p1:-none})"
    total=$(mt_virsh a domjobinfo "$DOM" 2>/dev/null | awk '/^Memory total:/ {print $3 $4}')
    [ -n "$total" ] || mt_fail "domjobinfo shows no memory total during the dump"
else
    mt_fail "domjobinfo never showed the dump running"
fi
wait $bg
rc=$?
[ $rc = 0 ] || mt_fail "virsh dump failed ($rc): $(cat "$MT_T/dump.out")"
if [ -f "$f" ]; then
    why=$(elf_check "$f")
    [ "$why" = ok ] || mt_fail "the dump is not the expected ELF core: $why"
else
    mt_fail "no dump file"
fi
[ "$(dump_files)" = core.elf ] || mt_fail "other files beside the dump: $(dump_files | tr '\n' ' ')"
[ "$(stat -c %a "$f" 2>/dev/null)" = 600 ] ||
    mt_fail "the dump's mode is $(stat -c %a "$f"), not 600"
expect_running_on "after the dump"
mt_run mt_virsh a domjobinfo "$DOM" --completed
grep -q '^Job type: *Completed' "$MT_OUT" && grep -q '^Operation: *Dump' "$MT_OUT" ||
    mt_fail "domjobinfo --completed does not show the dump: $(tr '\n' ' ' <"$MT_OUT")"
expect_no_job "after the dump"
rm -f "$f"
mt_end

# ---- kdump-zlib, live ----
mt_begin "kdump-zlib --live: the makedumpfile flat header, the guest keeps running"
f=$OUT/core.kdump
if mt_run mt_virsh a dump "$DOM" "$f" --memory-only --format kdump-zlib --live; then
    magic=$(head -c 12 "$f" 2>/dev/null)
    [ "$magic" = makedumpfile ] || mt_fail "the file does not start with 'makedumpfile': '$magic'"
else
    mt_fail "virsh dump --format kdump-zlib --live failed: $(cat "$MT_OUT")"
fi
expect_running_on "after a live dump"
rm -f "$f"
mt_end

# ---- reset ----
mt_begin "--reset: the guest reboots after the dump"
f=$OUT/core.reset
boots=$(mt_booted_count "$(serial)")
if mt_run mt_virsh a dump "$DOM" "$f" --memory-only --format kdump-zlib --reset; then
    [ -s "$f" ] || mt_fail "no dump file after --reset"
    mt_wait_cond 180 eval '[ "$(mt_booted_count "$(serial)")" -gt "$boots" ]' ||
        mt_fail "the guest did not boot again after --reset"
    mt_wait_hb "$(serial)" 1 60 >/dev/null
else
    mt_fail "virsh dump --reset failed: $(cat "$MT_OUT")"
fi
expect_running_on "after --reset"
rm -f "$f"
mt_end

# ---- full dump ----
mt_begin "a full dump is QEMU's migration stream (QEVM magic), the guest runs on"
f=$OUT/core.full
if mt_run mt_virsh a dump "$DOM" "$f"; then
    magic=$(head -c 4 "$f" 2>/dev/null)
    [ "$magic" = QEVM ] || mt_fail "the full dump does not start with 'QEVM': '$magic'"
else
    mt_fail "virsh dump (full) failed: $(cat "$MT_OUT")"
fi
expect_running_on "after a full dump"
expect_no_job "after a full dump"
rm -f "$f"
mt_end

# ---- abort ----
mt_begin "domjobabort during a memory-only and a full dump: no file left, the guest runs on"
f=$OUT/core.abort
mt_virsh a dump "$DOM" "$f" --memory-only >"$MT_T/dump.out" 2>&1 &
bg=$!
mt_bg_add $bg
if mt_wait_cond 30 eval '[ "$(mem_processed)" -gt 0 ] 2>/dev/null'; then
    mt_run mt_virsh a domjobabort "$DOM" || mt_fail "domjobabort failed: $(cat "$MT_OUT")"
else
    mt_fail "the dump showed no progress to abort"
fi
wait $bg
rc=$?
[ $rc != 0 ] || mt_fail "the aborted dump reported success"
grep -qi 'abort' "$MT_T/dump.out" ||
    mt_fail "the dump's error does not say aborted: $(cat "$MT_T/dump.out")"
expect_no_files "an aborted dump"
expect_running_on "after an aborted dump"
expect_no_job "after an aborted dump"
# The same for a full dump (QEMU's migration stream, cancelled in QEMU).
mt_virsh a dump "$DOM" "$f" >"$MT_T/dump.out" 2>&1 &
bg=$!
mt_bg_add $bg
if mt_wait_cond 30 eval '[ "$(mem_processed)" -gt 0 ] 2>/dev/null'; then
    mt_run mt_virsh a domjobabort "$DOM" || mt_fail "domjobabort (full) failed: $(cat "$MT_OUT")"
else
    mt_fail "the full dump showed no progress to abort"
fi
wait $bg
rc=$?
[ $rc != 0 ] || mt_fail "the aborted full dump reported success"
expect_no_files "an aborted full dump"
expect_running_on "after an aborted full dump"
expect_no_job "after an aborted full dump"
mt_end

# ---- bad requests ----
mt_begin "bad dump requests fail cleanly and leave no file"
for args in "--crash --live" "--crash --reset" "--live --reset" "--format kdump-zlib" \
    "--memory-only --format kdump-lzo" "--memory-only --format nosuch"; do
    # shellcheck disable=SC2086
    if mt_run mt_virsh a dump "$DOM" "$OUT/core.bad" $args; then
        mt_fail "dump $args succeeded"
    fi
done
mt_run mt_virsh a dump "$DOM" "$OUT/core.bad" --memory-only --format kdump-lzo
grep -q "kdump-lzo" "$MT_OUT" ||
    mt_fail "the refusal of kdump-lzo does not name it: $(cat "$MT_OUT")"
mt_run mt_virsh a dump "$DOM" "$OUT/missing/core" --memory-only &&
    mt_fail "a dump into a missing folder succeeded"
# QEMU offers win-dmp, but finds no Windows kernel in this guest's memory.
if mt_run mt_virsh a dump "$DOM" "$OUT/core.bad" --memory-only --format win-dmp; then
    mt_fail "a win-dmp dump of a Linux guest succeeded"
else
    grep -q "win-dump" "$MT_OUT" ||
        mt_fail "the win-dmp failure does not give QEMU's reason: $(cat "$MT_OUT")"
fi
expect_no_files "a refused dump"
expect_running_on "after refused dumps"
expect_no_job "after refused dumps"
mt_end

# ---- crash ----
mt_begin "--crash: the dump is written, the domain is shut off with reason crashed"
f=$OUT/core.crash
if mt_run mt_virsh a dump "$DOM" "$f" --memory-only --format kdump-zlib --crash; then
    [ -s "$f" ] || mt_fail "no dump file after --crash"
    mt_run mt_virsh a domstate "$DOM" --reason
    grep -q 'shut off (crashed)' "$MT_OUT" || mt_fail "after --crash the domain is $(cat "$MT_OUT")"
    mt_wait_cond 20 mt_no_qemu a || mt_fail "a QEMU is left after --crash"
else
    mt_fail "virsh dump --crash failed: $(cat "$MT_OUT")"
fi
mt_end
