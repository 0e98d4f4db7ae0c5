#!/bin/bash
# tests/integration/recovery/test-blockjob-recovery.sh: restart recovery of
# block jobs (issue #10), proven by kill -9 of a session qvirtd while a
# block copy of the test guest's qcow2 disk runs, restarting it on the same
# folders and checking what the restarted daemon makes of the job; TAP.
# Harness: ../migration/lib.sh (sourced): one daemon (side a), one guest.
#
# Cases:
# - mirroring: a copy throttled to 1 MiB/s of 24 MiB of data is killed
#   mid-copy; after the restart the job is still listed (blockjob --info)
#   and can be aborted: the disk keeps its source, QEMU has no job left;
# - ready: a copy is ready (blockcopy --wait), the daemon is killed; after
#   the restart blockjob --pivot works and dumpxml names the copy, whose
#   content is the disk's;
# - vanished: a throttled copy runs, the daemon is killed, the job is
#   cancelled and dismissed in QEMU through its QMP socket (the daemon is
#   dead, so the socket accepts another client), the daemon restarts: the
#   job is no longer listed, the disk keeps its source and a new copy can
#   start. Skipped without python3 (the QMP client).
# Every daemon and QEMU started is stopped by PID at exit (lib.sh). A
# failed run keeps its logs in tests/integration/recovery/
# test-blockjob-recovery.logs under make check.
set -u
if [ -z "${MT_KEEP_LOGS:-}" ] && [ -n "${QVIRT_TEST_BUILDDIR:-}" ]; then
    MT_KEEP_LOGS=$QVIRT_TEST_BUILDDIR/integration/recovery/test-blockjob-recovery.logs
fi
. "$(dirname "$0")/../migration/lib.sh"

mt_setup

BR_DOM=bjr
BR_DISK=$MT_T/disk.qcow2

br_pid() { cat "$MT_T/a/qvirtd.pid" 2>/dev/null; }

# Kill side a's daemon with SIGKILL (QEMU stays) and wait until it is gone.
br_kill9() {
    local pid
    pid=$(br_pid)
    mt_pid_alive "$pid" || { mt_fail "the daemon was not running before the kill"; return 1; }
    kill -KILL "$pid"
    timeout 20 tail --pid="$pid" -f /dev/null 2>/dev/null
    mt_pid_alive "$pid" && { mt_fail "daemon pid $pid survived kill -9"; return 1; }
    rm -f "$MT_T/a/qvirtd.pid"
    return 0
}

# Start side a's daemon again on the same folders and configuration.
br_restart() {
    # The variable assignments split into words on purpose.
    # shellcheck disable=SC2046
    if ! env $(mt_side_env a) "$MT_QVIRTD" --session --pid-file "$MT_T/a/qvirtd.pid" \
        >"$MT_OUT" 2>&1 || [ ! -s "$MT_T/a/qvirtd.pid" ]; then
        mt_fail "the daemon did not restart: $(tr '\n' ' ' <"$MT_OUT")"
        return 1
    fi
    # Reconnected to the guest's QEMU: it is listed as running.
    mt_wait_cond 60 br_running ||
        { mt_fail "after the restart $BR_DOM is '$(mt_domstate a $BR_DOM)', not running"; return 1; }
}

br_running() { [ "$(mt_domstate a "$BR_DOM")" = running ]; }

# blockjob --info --raw of vda into $MT_OUT.
br_info() { mt_run mt_qvirt a blockjob "$BR_DOM" vda --info --raw; }
br_no_job() { br_info && grep -q 'No current block job' "$MT_OUT"; }
br_has_copy() { br_info && grep -q 'type=Block Copy' "$MT_OUT"; }

# The disk's source file in the live XML.
br_source() {
    mt_qvirt a dumpxml "$BR_DOM" 2>/dev/null | grep -o "<source file='[^']*'" | head -1 |
        sed -e "s/<source file='//" -e "s/'$//"
}

# QEMU's block jobs as query-block-jobs reports them (through the daemon).
br_qemu_jobs() {
    mt_qvirt a qemu-monitor-command "$BR_DOM" '{"execute":"query-block-jobs"}' 2>&1
}
br_qemu_no_jobs() { br_qemu_jobs | tr -d ' \n' | grep -q '"return":\[\]'; }

# Cancel and dismiss job ID in QEMU through the QMP socket SOCK, the daemon
# being dead. Python is the QMP client here; bounded polls of query-jobs
# wait for the cancellation to conclude (QEMU announces it only as an
# event to the connected client, which the loop reads as well).
br_qmp_cancel() {
    python3 - "$1" "$2" <<'PY'
import json, socket, sys, time
path, job = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(30)
s.connect(path)
f = s.makefile("rw")
def reply():
    while True:
        msg = json.loads(f.readline())
        if "return" in msg or "error" in msg:
            return msg
def cmd(name, **args):
    f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
    f.flush()
    return reply()
json.loads(f.readline())  # greeting
assert "return" in cmd("qmp_capabilities")
r = cmd("block-job-cancel", device=job, force=True)
if "error" in r:
    sys.exit("block-job-cancel: %s" % r["error"])
deadline = time.time() + 60
while time.time() < deadline:
    jobs = {j["id"]: j["status"] for j in cmd("query-jobs")["return"]}
    if jobs.get(job) == "concluded":
        r = cmd("job-dismiss", id=job)
        if "error" in r:
            sys.exit("job-dismiss: %s" % r["error"])
        sys.exit(0)
    if job not in jobs:
        sys.exit(0)
    time.sleep(0.1)
sys.exit("the job did not conclude after its cancellation: %s" % jobs)
PY
}

# ---- set-up: one daemon, the guest with a qcow2 disk of 24 MiB of data ----

mt_begin "set-up: daemon and guest with a qcow2 disk"
if ! mt_daemon_start a; then
    mt_fail "the daemon did not start: $(tr '\n' ' ' <"$MT_OUT")"
elif ! mt_run qemu-img create -q -f qcow2 "$BR_DISK" 64M ||
    ! mt_run qemu-io -f qcow2 -c "write -P 0x5a 0 24M" "$BR_DISK"; then
    mt_fail "cannot make the disk image"
else
    mt_guest_xml "$BR_DOM" 1 "$BR_DISK" >"$MT_T/$BR_DOM.xml"
    mt_guest_boot a "$MT_T/$BR_DOM.xml" "$BR_DOM"
fi
if ! mt_end; then
    echo "Bail out! no guest to run the block jobs of"
    exit 1
fi

# ---- mirroring: kill -9 mid-copy, restart, the job is listed, abort ----

mt_begin "kill -9 while a copy is mirroring: listed after the restart, abort works"
dest1=$MT_T/copy1.qcow2
if ! mt_run mt_qvirt a blockcopy "$BR_DOM" vda --dest "$dest1" --bandwidth 1; then
    mt_fail "blockcopy did not start"
elif ! br_has_copy; then
    mt_fail "no copy listed right after blockcopy"
elif [ "$(sed -n 's/^ *cur=//p' "$MT_OUT")" = "$(sed -n 's/^ *end=//p' "$MT_OUT")" ]; then
    mt_fail "the throttled copy is not mirroring any more before the kill"
elif echo "# before the kill:$(grep -E 'cur=|end=' "$MT_OUT" | tr -d '\n')" && br_kill9 &&
    br_restart; then
    if ! br_has_copy; then
        mt_fail "after the restart the copy is not listed: $(tr '\n' ' ' <"$MT_OUT")"
    fi
    echo "# after the restart:$(grep -E 'cur=|end=' "$MT_OUT" | tr -d '\n')"
    if ! mt_run mt_qvirt a blockjob "$BR_DOM" vda --abort; then
        mt_fail "blockjob --abort failed after the restart"
    fi
    br_no_job || mt_fail "a job is still listed after the abort"
    mt_wait_cond 30 br_qemu_no_jobs ||
        mt_fail "QEMU still has a block job after the abort: $(br_qemu_jobs | tr '\n' ' ')"
    [ "$(br_source)" = "$BR_DISK" ] ||
        mt_fail "the disk's source is '$(br_source)', not $BR_DISK, after the abort"
    # The aborted copy's destination nodes are gone from QEMU.
    mt_qvirt a qemu-monitor-command "$BR_DOM" '{"execute":"query-named-block-nodes"}' \
        >"$MT_T/nodes" 2>&1 || mt_fail "query-named-block-nodes failed"
    ! grep -q "$dest1" "$MT_T/nodes" || mt_fail "QEMU still has a node of $dest1 after the abort"
fi
mt_end

# ---- ready: kill -9 with the copy ready, restart, pivot ----

mt_begin "kill -9 while a copy is ready: pivot after the restart, dumpxml names the copy"
dest2=$MT_T/copy2.qcow2
if ! mt_run mt_qvirt a blockcopy "$BR_DOM" vda --dest "$dest2" --wait; then
    mt_fail "blockcopy --wait failed"
elif ! br_has_copy; then
    mt_fail "no ready copy listed before the kill"
elif br_kill9 && br_restart; then
    br_has_copy || mt_fail "after the restart the ready copy is not listed"
    if ! mt_run mt_qvirt a blockjob "$BR_DOM" vda --pivot; then
        mt_fail "blockjob --pivot failed after the restart"
    fi
    br_no_job || mt_fail "a job is still listed after the pivot"
    [ "$(br_source)" = "$dest2" ] ||
        mt_fail "the disk's source is '$(br_source)', not the copy $dest2, after the pivot"
    mt_run qemu-img compare -U "$BR_DISK" "$dest2" ||
        mt_fail "the copy's content differs from the disk's"
    mt_wait_cond 30 br_qemu_no_jobs ||
        mt_fail "QEMU still has a block job after the pivot: $(br_qemu_jobs | tr '\n' ' ')"
fi
mt_end

# ---- vanished: the job leaves QEMU while the daemon is dead ----

if ! command -v python3 >/dev/null 2>&1; then
    mt_skip "a copy that vanished from QEMU while the daemon was dead" \
        "python3 (the test's QMP client) is not installed"
else
    mt_begin "a copy that vanished from QEMU while the daemon was dead: dropped at restart"
    dest3=$MT_T/copy3.qcow2
    mon=$(find "$MT_T/a" -name "$BR_DOM.monitor" 2>/dev/null | head -1)
    if [ -z "$mon" ]; then
        mt_fail "no QMP socket $BR_DOM.monitor under the side's folders"
    elif ! mt_run mt_qvirt a blockcopy "$BR_DOM" vda --dest "$dest3" --bandwidth 1; then
        mt_fail "blockcopy did not start"
    elif ! br_has_copy; then
        mt_fail "no copy listed right after blockcopy"
    elif br_kill9; then
        if ! mt_run br_qmp_cancel "$mon" qvirt-copy-vda; then
            mt_fail "cannot cancel the job in QEMU: $(tr '\n' ' ' <"$MT_OUT")"
        elif br_restart; then
            br_no_job ||
                mt_fail "the vanished copy is still listed after the restart: $(tr '\n' ' ' <"$MT_OUT")"
            [ "$(br_source)" = "$dest2" ] ||
                mt_fail "the disk's source is '$(br_source)', not $dest2, after the restart"
            mt_log_since a | grep -q 'vanished' ||
                mt_fail "the daemon log does not say the job vanished"
            # The disk takes a new job: nothing of the old one is in the way.
            if ! mt_run mt_qvirt a blockcopy "$BR_DOM" vda --dest "$MT_T/copy4.qcow2" --wait; then
                mt_fail "a new copy cannot start after the restart"
            elif ! mt_run mt_qvirt a blockjob "$BR_DOM" vda --abort; then
                mt_fail "the new copy cannot be aborted"
            fi
        fi
    fi
    mt_end
fi

mt_begin "the guest still runs"
[ "$(mt_domstate a "$BR_DOM")" = running ] || mt_fail "$BR_DOM is '$(mt_domstate a "$BR_DOM")'"
mt_wait_hb "$(mt_serial a "$BR_DOM")" "$(($(mt_hb_last "$(mt_serial a "$BR_DOM")") + 1))" 60 ||
    mt_fail "no new heartbeat from the guest"
mt_end
