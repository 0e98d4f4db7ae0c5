#!/bin/bash
# tests/integration/blockjob/test-blockjob-events.sh: block job events
# (issue #11) reach every kind of client of one session qvirtd: the
# qvirt shell (event --loop --all), stock virsh (event --loop --all) and
# python3-libvirt (domainEventRegisterAny of BLOCK_JOB and BLOCK_JOB_2);
# TAP. Harness: ../migration/lib.sh (sourced): one daemon (side a), the
# test guest with a qcow2 disk.
#
# Cases:
# - listeners: the three listeners are registered (each shows it);
# - copy: `qvirt blockcopy --wait --pivot` of vda; every listener saw
#   BLOCK_JOB_2 for disk vda, type copy, ready then completed, and
#   BLOCK_JOB for the disk's source path, ready then completed.
# Listeners are stopped by PID at the end (and by lib.sh on a failure);
# lib.sh stops the daemon and QEMU. Skipped parts: virsh without virsh,
# python without python3-libvirt.
set -u
if [ -z "${MT_KEEP_LOGS:-}" ] && [ -n "${QVIRT_TEST_BUILDDIR:-}" ]; then
    MT_KEEP_LOGS=$QVIRT_TEST_BUILDDIR/integration/blockjob/test-blockjob-events.logs
fi
. "$(dirname "$0")/../migration/lib.sh"

mt_setup

BE_DOM=bje
BE_DISK=$MT_T/disk.qcow2
BE_COPY=$MT_T/copy.qcow2
BE_PIDS=""

be_have_virsh() { command -v virsh >/dev/null 2>&1; }
# The python with the libvirt module: $PYTHON if set, else python3 on
# PATH, else the system's python3 (the distribution's python3-libvirt is
# installed for it only, while a python3 first on PATH may be another).
BE_PY=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
    if "$p" -c 'import libvirt' >/dev/null 2>&1; then
        BE_PY=$p
        break
    fi
done
be_have_pylibvirt() { [ -n "$BE_PY" ]; }

# Write the python listener to $MT_T/listener.py: arguments URI COUNT SECS;
# it registers BLOCK_JOB and BLOCK_JOB_2 on URI, prints "ready" once
# registered, then one line per event, and exits after COUNT events or
# SECS seconds.
be_py_listener_write() {
    cat >"$MT_T/listener.py" <<'PY'
import sys, threading, time
import libvirt
uri, count, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
libvirt.virEventRegisterDefaultImpl()
def loop():
    while True:
        libvirt.virEventRunDefaultImpl()
threading.Thread(target=loop, daemon=True).start()
conn = libvirt.open(uri)
done = threading.Event()
seen = [0]
lock = threading.Lock()
def cb(conn, dom, disk, typ, status, opaque):
    with lock:
        print("%s domain=%s disk=%s type=%d status=%d" % (opaque, dom.name(), disk, typ, status))
        seen[0] += 1
        if seen[0] >= count:
            done.set()
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_JOB, cb, "block-job")
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, cb, "block-job-2")
print("ready")
sys.exit(0 if done.wait(secs) else 1)
PY
}

# be_listen NAME CMD...: start CMD in the background, output to $MT_T/NAME.
be_listen() {
    local name=$1
    shift
    "$@" >"$MT_T/$name" 2>&1 &
    BE_PIDS="$BE_PIDS $!"
    mt_bg_add $!
}

# A lifecycle event for the domain is in FILE (the shell listeners print
# no line when registered: the first event they print shows they are).
be_has_lifecycle() { grep -q "event 'lifecycle' for domain '$BE_DOM'" "$1"; }

# Suspend and resume the guest (events for the shell listeners) until
# every file given shows a lifecycle event; bounded.
be_wait_shell_listeners() {
    local i=0 f ok
    while [ $i -lt 60 ]; do
        mt_run mt_qvirt a suspend "$BE_DOM" || return 1
        mt_run mt_qvirt a resume "$BE_DOM" || return 1
        ok=1
        for f in "$@"; do
            # A bounded wait for the two events just sent to reach FILE.
            mt_wait_cond 2 be_has_lifecycle "$f" || ok=0
        done
        [ $ok = 1 ] && return 0
        i=$((i + 1))
    done
    return 1
}

be_py_ready() { grep -q '^ready$' "$MT_T/py"; }

# be_order FILE PATTERN1 PATTERN2: both lines are in FILE, PATTERN1 first.
be_order() {
    local a b
    a=$(grep -n -- "$2" "$1" | head -1 | cut -d: -f1)
    b=$(grep -n -- "$3" "$1" | head -1 | cut -d: -f1)
    [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}

# be_check_shell FILE WHO: the shell-format lines of a copy of vda.
be_check_shell() {
    local f=$1 who=$2 p2 p1
    p2="event 'block-job-2' for domain '$BE_DOM': Block Copy for vda"
    p1="event 'block-job' for domain '$BE_DOM': Block Copy for $BE_DISK"
    be_order "$f" "$p2 ready" "$p2 completed" ||
        mt_fail "$who: no BLOCK_JOB_2 vda copy ready then completed"
    be_order "$f" "$p1 ready" "$p1 completed" ||
        mt_fail "$who: no BLOCK_JOB for $BE_DISK copy ready then completed"
}

be_py_done() { [ "$(grep -c '^block-job' "$MT_T/py")" -ge 4 ]; }
be_shell_done() { [ "$(grep -c "^event 'block-job" "$1")" -ge 4 ]; }

# ---- set-up: one daemon, the guest with a qcow2 disk ----

mt_begin "set-up: daemon and guest with a qcow2 disk"
if ! mt_daemon_start a; then
    mt_fail "the daemon did not start: $(tr '\n' ' ' <"$MT_OUT")"
elif ! mt_run qemu-img create -q -f qcow2 "$BE_DISK" 64M ||
    ! mt_run qemu-io -f qcow2 -c "write -P 0x5a 0 4M" "$BE_DISK"; then
    mt_fail "cannot make the disk image"
else
    mt_guest_xml "$BE_DOM" 1 "$BE_DISK" >"$MT_T/$BE_DOM.xml"
    mt_guest_boot a "$MT_T/$BE_DOM.xml" "$BE_DOM"
fi
if ! mt_end; then
    echo "Bail out! no guest to run the block job of"
    exit 1
fi

# ---- listeners ----

mt_begin "listeners: qvirt, virsh and python3-libvirt are registered"
shell_files="$MT_T/qvirt"
be_listen qvirt timeout 300 "$MT_QVIRT" -c "$(mt_uri a)" event --loop --all
if be_have_virsh; then
    be_listen virsh timeout 300 virsh -c "$(mt_uri a)" event --loop --all
    shell_files="$shell_files $MT_T/virsh"
fi
if be_have_pylibvirt; then
    be_py_listener_write
    be_listen py timeout 300 "$BE_PY" -u "$MT_T/listener.py" "$(mt_uri a)" 4 240
    mt_wait_cond 60 be_py_ready || mt_fail "python: not registered: $(tr '\n' ' ' <"$MT_T/py")"
fi
# The variable splits into file names on purpose.
# shellcheck disable=SC2086
be_wait_shell_listeners $shell_files ||
    mt_fail "shell listeners not registered: $(cat $shell_files | tr '\n' ' ')"
mt_end

# ---- copy with pivot ----

mt_begin "blockcopy --wait --pivot: every listener sees both block job events"
if ! mt_run mt_qvirt a blockcopy "$BE_DOM" vda --dest "$BE_COPY" --wait --pivot; then
    mt_fail "blockcopy --wait --pivot failed: $(tr '\n' ' ' <"$MT_OUT")"
else
    mt_wait_cond 60 be_shell_done "$MT_T/qvirt" || mt_fail "qvirt: not all 4 events within 60 s"
    be_check_shell "$MT_T/qvirt" qvirt
    if be_have_virsh; then
        mt_wait_cond 60 be_shell_done "$MT_T/virsh" || mt_fail "virsh: not all 4 events within 60 s"
        be_check_shell "$MT_T/virsh" virsh
    fi
    if be_have_pylibvirt; then
        # BLOCK_JOB_TYPE_COPY is 2; statuses: COMPLETED 0, READY 3.
        mt_wait_cond 60 be_py_done || mt_fail "python: not all 4 events within 60 s"
        p2="block-job-2 domain=$BE_DOM disk=vda type=2"
        p1="block-job domain=$BE_DOM disk=$BE_DISK type=2"
        be_order "$MT_T/py" "$p2 status=3" "$p2 status=0" ||
            mt_fail "python: no BLOCK_JOB_2 vda copy ready then completed"
        be_order "$MT_T/py" "$p1 status=3" "$p1 status=0" ||
            mt_fail "python: no BLOCK_JOB for $BE_DISK copy ready then completed"
    fi
fi
for f in qvirt virsh py; do
    [ -f "$MT_T/$f" ] && sed "s/^/# $f: /" "$MT_T/$f" | grep -v lifecycle
done
mt_end

be_have_virsh || mt_skip "virsh listener" "virsh is not installed"
be_have_pylibvirt || mt_skip "python3-libvirt listener" "no python3 with the libvirt module"

for pid in $BE_PIDS; do
    kill -TERM "$pid" 2>/dev/null
    timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null
done
