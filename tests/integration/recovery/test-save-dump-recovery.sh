#!/bin/bash
# tests/integration/recovery/test-save-dump-recovery.sh: restart recovery
# of save and dump jobs (issues #10 and #12), proven by making a session
# qvirtd die during a save and during a dump of the running test guest,
# restarting it on the same folders and checking what it made of the job;
# TAP. Harness: ../migration/lib.sh (sourced): one daemon (side a), one
# guest. The daemon's qemu.conf sets save_max_bandwidth = 32 (MiB/s), so a
# save or an ELF dump of the 256 MiB guest lasts about 8 s.
#
# Cases, each followed by the same checks after the restart: the guest
# runs again (running, reason save canceled), exactly one QEMU runs for
# it, no save or dump file (final or partial, hidden ones included) is in
# the target folder, the definition is kept (persistent), no job is left
# (domjobinfo), and the guest's heartbeat continues from where it was:
# - save with QVIRT_CRASH_POINT=save-started: the daemon ends itself right
#   after QEMU started streaming into the save file; an earlier file of the
#   target's name is left as it was;
# - save with QVIRT_CRASH_POINT=save-renamed: the daemon ends itself right
#   after the complete image got the target's name, before QEMU was
#   stopped; the image goes (the guest runs on, so it would be stale);
# - kill -9 of the daemon during a (throttled) save, once it made progress;
# - kill -9 of the daemon during a memory-only ELF dump, once it made
#   progress;
# - start with QVIRT_CRASH_POINT=qemu-spawn-unrecorded (QEMU spawned, no
#   status file yet) and =qemu-spawned (status file written, no QMP
#   handshake yet): the restarted daemon kills that QEMU (an orphan, or an
#   unfinished start), the domain is shut off and stays defined.
# Every daemon and QEMU started is stopped by PID at exit (lib.sh). A
# failed run keeps its logs in tests/integration/recovery/
# test-save-dump-recovery.logs under make check.
set -u
if [ -z "${MT_KEEP_LOGS:-}" ] && [ -n "${QVIRT_TEST_BUILDDIR:-}" ]; then
    MT_KEEP_LOGS=$QVIRT_TEST_BUILDDIR/integration/recovery/test-save-dump-recovery.logs
fi
. "$(dirname "$0")/../migration/lib.sh"

mt_setup

DOM=sdr
OUT=$MT_T/images

sd_pid() { cat "$MT_T/a/qvirtd.pid" 2>/dev/null; }
sd_state() { mt_domstate a "$DOM"; }
sd_serial() { mt_serial a "$DOM"; }

# sd_start [POINT]: start side a's daemon on its folders, armed with
# QVIRT_CRASH_POINT=POINT when given and never otherwise.
sd_start() {
    local point=${1:-}
    local -a arm=()
    [ -n "$point" ] && arm=("QVIRT_CRASH_POINT=$point")
    if [ -s "$MT_T/a/qvirtd.pid" ] && ! mt_pid_alive "$(sd_pid)"; then
        rm -f "$MT_T/a/qvirtd.pid"
    fi
    # The variable assignments split into words on purpose.
    # shellcheck disable=SC2046
    env -u QVIRT_CRASH_POINT "${arm[@]}" $(mt_side_env a) "$MT_QVIRTD" --session \
        --pid-file "$MT_T/a/qvirtd.pid" >"$MT_OUT" 2>&1 && [ -s "$MT_T/a/qvirtd.pid" ] ||
        {
            mt_fail "qvirtd did not start${point:+ with QVIRT_CRASH_POINT=$point}: $(
                tr '\n' ' ' <"$MT_OUT")"
            return 1
        }
}

# sd_restart [POINT]: stop the daemon (SIGTERM: the guest stays), start it.
sd_restart() {
    mt_pid_alive "$(sd_pid)" && mt_daemon_stop a
    sd_start "$@"
}

# Wait for the daemon PID to be gone (it crashed or was killed).
sd_wait_gone() {
    local pid=$1
    timeout 60 tail --pid="$pid" -f /dev/null 2>/dev/null
    mt_pid_alive "$pid" && { mt_fail "daemon pid $pid is still alive"; return 1; }
    rm -f "$MT_T/a/qvirtd.pid"
    return 0
}

sd_kill9() {
    local pid
    pid=$(sd_pid)
    mt_pid_alive "$pid" || { mt_fail "the daemon was not running before the kill"; return 1; }
    kill -KILL "$pid"
    sd_wait_gone "$pid"
}

# Bytes processed so far by the domain's job (domjobinfo), 0 when none.
sd_processed() {
    mt_virsh a domjobinfo "$DOM" 2>/dev/null | awk '
        /^(Memory|Data) processed:/ {
            v = $3; u = $4
            if (u == "KiB") v *= 1024; else if (u == "MiB") v *= 1048576
            else if (u == "GiB") v *= 1073741824
            if (v > m) m = v
        }
        END { printf "%d\n", m }'
}
sd_progressing() { [ "$(sd_processed)" -gt 0 ] 2>/dev/null; }

# The guest's heartbeat before the case.
HB_BEFORE=0

sd_before() {
    rm -rf "$OUT"
    mkdir -p "$OUT"
    HB_BEFORE=$(mt_hb_last "$(sd_serial)")
}

# The checks after the restart (see the header).
sd_check_after() {
    local what=$1 left n
    mt_wait_cond 60 eval '[ "$(sd_state)" = running ]' ||
        mt_fail "$what: after the restart the guest is '$(sd_state)', not running"
    mt_run mt_virsh a domstate "$DOM" --reason
    grep -q 'running (save canceled)' "$MT_OUT" ||
        mt_fail "$what: the state is not running (save canceled): $(cat "$MT_OUT")"
    n=$(mt_qemu_pids a/ | wc -l)
    [ "$n" = 1 ] || mt_fail "$what: $n QEMU processes run for the guest, not 1"
    left=$(ls -A "$OUT" 2>/dev/null | tr '\n' ' ')
    [ -z "$left" ] || mt_fail "$what: files left in the target folder: $left"
    mt_virsh a list --all --persistent --name 2>/dev/null | grep -qx "$DOM" ||
        mt_fail "$what: the definition is gone"
    mt_run mt_virsh a domjobinfo "$DOM"
    grep -q '^Job type: *None' "$MT_OUT" ||
        mt_fail "$what: a job is left: $(tr '\n' ' ' <"$MT_OUT")"
    mt_wait_hb "$(sd_serial)" $((${HB_BEFORE:-0} + 3)) 60 ||
        mt_fail "$what: the heartbeat did not continue past $((${HB_BEFORE:-0} + 3)) (last $(
            mt_hb_last "$(sd_serial)"))"
    mt_check_panic "$(sd_serial)" guest
    # The daemon keeps running after its recovery.
    mt_pid_alive "$(sd_pid)" || mt_fail "$what: the restarted daemon died"
}

# ---- set-up ----
mt_begin "set-up: a session qvirtd with throttled saves and the test guest"
if mt_daemon_start a; then
    echo "save_max_bandwidth = 32" >>"$MT_T/a/config/qvirt/qemu.conf"
    sd_restart
    mt_guest_xml "$DOM" 4 >"$MT_T/$DOM.xml"
    mt_guest_boot a "$MT_T/$DOM.xml" "$DOM"
else
    mt_fail "qvirtd did not start: $(cat "$MT_OUT")"
fi
if ! mt_end; then
    echo "Bail out! no daemon or no guest"
    exit 1
fi

# sd_crash_save POINT: save into $OUT/$DOM.save with the daemon armed to
# die at POINT, see it die there, and start it again.
sd_crash_save() {
    local point=$1 pid
    sd_restart "$point" || return 1
    pid=$(sd_pid)
    mt_run mt_virsh a save "$DOM" "$OUT/$DOM.save" &&
        mt_fail "the save succeeded although the daemon was to die"
    sd_wait_gone "$pid" && grep -q "crash point '$point' reached" "$(mt_log a)" ||
        mt_fail "the daemon did not die at $point"
    sd_start
}

# ---- (a) save-started ----
mt_begin "save: the daemon dies at crash point save-started; restarted, the guest runs, no file; an earlier file of the name stays"
sd_before
echo "an earlier file" >"$OUT/$DOM.save"
if sd_crash_save save-started; then
    [ "$(cat "$OUT/$DOM.save" 2>/dev/null)" = "an earlier file" ] ||
        mt_fail "the earlier file of the target's name was removed or changed"
    rm -f "$OUT/$DOM.save"
    sd_check_after "save-started"
    grep -q "recovering job 'save'" "$(mt_log a)" ||
        mt_fail "the restarted daemon logged no recovery of the save job"
fi
mt_end

# ---- (a2) save-renamed ----
mt_begin "save: the daemon dies at crash point save-renamed; restarted, the renamed image is removed, the guest runs"
sd_before
if sd_crash_save save-renamed; then
    sd_check_after "save-renamed"
    grep -q "removed the renamed unfinished file '$OUT/$DOM.save'" "$(mt_log a)" ||
        mt_fail "the restarted daemon logged no removal of the renamed image"
fi
mt_end

# ---- (b) kill -9 during a save ----
mt_begin "save: kill -9 of the daemon mid-save; after the restart the guest runs, no file"
sd_before
mt_virsh a save "$DOM" "$OUT/$DOM.save" >"$MT_T/bg.out" 2>&1 &
bg=$!
mt_bg_add $bg
if mt_wait_cond 60 sd_progressing; then
    sd_kill9
else
    mt_fail "the save showed no progress: $(cat "$MT_T/bg.out")"
fi
wait $bg && mt_fail "the save succeeded although the daemon was killed"
if sd_start; then
    sd_check_after "kill -9 during a save"
    [ "$(grep -c "recovering job 'save'" "$(mt_log a)")" -ge 2 ] ||
        mt_fail "the restarted daemon logged no recovery of the save job"
fi
mt_end

# ---- (c) kill -9 during a memory-only dump ----
mt_begin "dump: kill -9 of the daemon mid-dump; after the restart the guest runs, no file, no job"
sd_before
mt_virsh a dump "$DOM" "$OUT/$DOM.core" --memory-only >"$MT_T/bg.out" 2>&1 &
bg=$!
mt_bg_add $bg
if mt_wait_cond 60 sd_progressing; then
    sd_kill9
else
    mt_fail "the dump showed no progress: $(cat "$MT_T/bg.out")"
fi
wait $bg && mt_fail "the dump succeeded although the daemon was killed"
if sd_start; then
    sd_check_after "kill -9 during a dump"
    grep -q "recovering job 'dump'" "$(mt_log a)" ||
        mt_fail "the restarted daemon logged no recovery of the dump job"
fi
mt_end

# ---- (d) the daemon dies right after spawning QEMU for a start ----
for point in qemu-spawn-unrecorded qemu-spawned; do
    mt_begin "start: the daemon dies at crash point $point; restarted, it kills that QEMU, the domain is shut off"
    mt_virsh a domstate "$DOM" 2>/dev/null | grep -q 'shut off' ||
        mt_run mt_virsh a destroy "$DOM" || mt_fail "destroy failed: $(cat "$MT_OUT")"
    if sd_restart "$point"; then
        pid=$(sd_pid)
        mt_run mt_virsh a start "$DOM" && mt_fail "the start succeeded although the daemon was to die"
        sd_wait_gone "$pid" && grep -q "crash point '$point' reached" "$(mt_log a)" ||
            mt_fail "the daemon did not die at $point"
        mt_has_qemu a || mt_fail "the dead daemon left no QEMU behind: the case proves nothing"
        if sd_start; then
            mt_wait_cond 30 mt_no_qemu a ||
                mt_fail "after the restart QEMU $(mt_qemu_pids a/ | tr '\n' ' ')still runs"
            [ "$(sd_state)" = "shut off" ] || mt_fail "the domain is '$(sd_state)', not shut off"
            mt_virsh a list --all --persistent --name 2>/dev/null | grep -qx "$DOM" ||
                mt_fail "the definition is gone"
        fi
    fi
    mt_end
done
