#!/bin/sh
# test-interop.sh: the stock virsh (Debian libvirt-clients) and
# libvirt-python driving qvirtd with the test driver, as TAP.
#
# A session qvirtd runs in a temporary folder (its own XDG variables),
# detached: it returns once it serves its sockets, and its pid comes from
# its pid file. A background `virsh event --loop --all` holds a connection
# for the whole run (the test driver's hypervisor lives while a connection
# does) and records lifecycle events, checked at the end. The daemon is
# killed by pid at exit even when a step fails. Skipped when virsh is
# missing; the python part is skipped when python3-libvirt is missing.
set -u

BUILDDIR=${QVIRT_TEST_BUILDDIR:-$(pwd)/tests}
SRCDIR=${QVIRT_TEST_SRCDIR:-$(dirname "$0")/..}
QVIRTD=${QVIRTD:-$BUILDDIR/../src/daemon/qvirtd}
PYTHON=${PYTHON3:-/usr/bin/python3}

if ! command -v virsh >/dev/null 2>&1; then
    echo "1..0 # SKIP virsh is not installed"
    exit 0
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/qvirt-interop-XXXXXX")
PID=
EVPID=
cleanup() {
    [ -n "$EVPID" ] && kill "$EVPID" 2>/dev/null
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

export XDG_RUNTIME_DIR="$T/run" XDG_CONFIG_HOME="$T/config" XDG_STATE_HOME="$T/state"
export HOME="$T"
unset QVIRT_DEFAULT_URI LIBVIRT_DEFAULT_URI
mkdir -p "$XDG_RUNTIME_DIR"
SOCK="$XDG_RUNTIME_DIR/qvirt/qvirt-sock"
URI="test+unix:///default?socket=$SOCK"
ROURI="test+unix:///default?socket=$SOCK-ro"

N=0
FAILED=0
ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() {
    N=$((N + 1)); FAILED=1
    echo "not ok $N - $1"
    [ -f "$T/out" ] && sed 's/^/# /' "$T/out"
}
# check NAME EXPECTED-SUBSTRING COMMAND...: run, expect success and text.
check() {
    name=$1; want=$2; shift 2
    if "$@" >"$T/out" 2>&1 && { [ -z "$want" ] || grep -qF -- "$want" "$T/out"; }; then
        ok "$name"
    else
        not_ok "$name"
    fi
}
# check_fail NAME EXPECTED-SUBSTRING COMMAND...: expect failure and text.
check_fail() {
    name=$1; want=$2; shift 2
    if ! "$@" >"$T/out" 2>&1 && grep -qF -- "$want" "$T/out"; then
        ok "$name"
    else
        not_ok "$name"
    fi
}
v() { timeout 30 virsh -c "$URI" "$@"; }

echo "1..48"

# 1: start
if "$QVIRTD" --session --pid-file "$T/qvirtd.pid" >"$T/out" 2>&1 && [ -s "$T/qvirtd.pid" ]; then
    PID=$(cat "$T/qvirtd.pid")
    ok "qvirtd starts (pid $PID)"
else
    not_ok "qvirtd starts"
    exit 1
fi

# The event listener; it also keeps the test hypervisor alive.
timeout 120 virsh -c "$URI" event --loop --all >"$T/events" 2>&1 &
EVPID=$!
# Wait until its registration is in place: a domain defined now must be
# reported. Bounded polling of its output: virsh gives no other sign.
i=0
while [ $i -lt 100 ]; do
    v define "$SRCDIR/interop/demo.xml" >/dev/null 2>&1
    grep -q "Defined" "$T/events" 2>/dev/null && break
    v undefine demo >/dev/null 2>&1
    i=$((i + 1))
    sleep 0.1
done
v undefine demo >/dev/null 2>&1

check "list --all shows the test domain" "test" v list --all
check "define" "Domain 'demo' defined" v define "$SRCDIR/interop/demo.xml"
check "list --all shows it shut off" "shut off" v list --all
check "start" "Domain 'demo' started" v start demo
check "dominfo" "running" v dominfo demo
check "domstate running" "running" v domstate demo
check "dumpxml" "<name>demo</name>" v dumpxml demo
check "suspend" "Domain 'demo' suspended" v suspend demo
check "domstate paused" "paused" v domstate demo
check "resume" "Domain 'demo' resumed" v resume demo
check "qemu-monitor-command passthrough" '"running":true' \
    v qemu-monitor-command demo '{"execute":"query-status"}'
check "fake job started" '"return"' \
    v qemu-monitor-command demo '{"execute":"x-fake-job","arguments":{"seconds":0}}'
check "domjobinfo shows the job" "Unbounded" v domjobinfo demo
check "domjobabort" "" v domjobabort demo
check "shutdown" "is being shutdown" v shutdown demo
check "domstate shut off" "shut off" v domstate demo
check "start again" "started" v start demo
check "destroy" "Domain 'demo' destroyed" v destroy demo
check_fail "suspending a stopped domain is refused" "Requested operation is not valid" \
    v suspend demo
check_fail "read-only socket refuses define" "operation forbidden" \
    timeout 30 virsh -c "$ROURI" define "$SRCDIR/interop/demo.xml"
# Save, restore, managed save and dump (the test driver's small images).
mkdir -p "$T/cwd"
check "start for save" "started" v start demo
check "save to a relative path" "Domain 'demo' saved to demo.sav" \
    sh -c "cd '$T/cwd' && timeout 30 virsh -c '$URI' save demo demo.sav"
check "the image is in virsh's folder" "QVIRT-TEST-SAVE" head -c 15 "$T/cwd/demo.sav"
check "domstate saved" "shut off (saved)" v domstate demo --reason
check "restore" "Domain restored from $T/cwd/demo.sav" v restore "$T/cwd/demo.sav"
check "domstate restored" "running (restored)" v domstate demo --reason
check "save --paused --verbose" "saved to" v save demo "$T/p.sav" --paused --verbose
check "restore of the paused image" "restored" v restore "$T/p.sav"
check "domstate paused after restore" "paused" v domstate demo
head -c 30 "$T/p.sav" >"$T/trunc.sav"
check_fail "restore of a truncated image fails" "is truncated" v restore "$T/trunc.sav"
check "managedsave" "Domain 'demo' state saved" v managedsave demo
check "dominfo shows the managed save" "Managed save:   yes" v dominfo demo
check_fail "undefine refuses while the image exists" "managed save image exists" v undefine demo
check "start restores from the managed save" "started" v start demo
check "dominfo after the managed start" "Managed save:   no" v dominfo demo
check "managedsave again" "state saved" v managedsave demo
check "managedsave-remove" "Removed managedsave image for domain 'demo'" \
    v managedsave-remove demo
check "start boots after the removal" "started" v start demo
check "dump" "Domain 'demo' dumped to $T/demo.core" v dump demo "$T/demo.core" --memory-only
check "the dump file exists" "core dump" cat "$T/demo.core"
check_fail "dump --live --crash is refused" "mutually exclusive" \
    v dump demo "$T/x.core" --live --crash
check "destroy after the dumps" "destroyed" v destroy demo
check "undefine" "Domain 'demo' has been undefined" v undefine demo

# Events seen by the listener.
kill -INT "$EVPID" 2>/dev/null
wait "$EVPID" 2>/dev/null
EVPID=
cp "$T/events" "$T/out"
if grep -q "Started Booted" "$T/events" && grep -q "Suspended Paused" "$T/events" &&
   grep -q "Resumed Unpaused" "$T/events" && grep -q "Stopped Destroyed" "$T/events" &&
   grep -q "Undefined Removed" "$T/events"; then
    ok "virsh event received the lifecycle events"
else
    not_ok "virsh event received the lifecycle events"
fi

# libvirt-python.
if "$PYTHON" -c 'import libvirt' >/dev/null 2>&1; then
    if timeout 60 "$PYTHON" "$SRCDIR/interop/interop.py" "$URI" "$SRCDIR/interop/demo.xml" \
        >"$T/out" 2>&1; then
        ok "libvirt-python flows and event callback"
    else
        not_ok "libvirt-python flows and event callback"
    fi
else
    ok "libvirt-python flows # SKIP python3-libvirt is not installed"
fi

# libvirt-python: save, restore, managed save and dump.
if "$PYTHON" -c 'import libvirt' >/dev/null 2>&1; then
    if (cd "$T/cwd" && timeout 60 "$PYTHON" - "$URI" "$SRCDIR/interop/demo.xml" "$T/cwd" <<'PY'
import os
import sys

import libvirt

uri, xml_path, cwd = sys.argv[1:4]
libvirt.registerErrorHandler(lambda c, e: None, None)
conn = libvirt.open(uri)
dom = conn.defineXML(open(xml_path).read())
dom.create()


def expect(cond, what):
    if not cond:
        print("FAIL: " + what)
        sys.exit(1)


dom.save("py.sav")  # relative: the library completes it
expect(os.path.exists(os.path.join(cwd, "py.sav")), "save to a relative path")
expect(dom.state() == [libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTOFF_SAVED], "saved")
conn.restoreFlags(os.path.join(cwd, "py.sav"), None, libvirt.VIR_DOMAIN_SAVE_PAUSED)
expect(dom.state()[0] == libvirt.VIR_DOMAIN_PAUSED, "restoreFlags PAUSED")
dom.managedSave(0)
expect(dom.hasManagedSaveImage(0) == 1, "hasManagedSaveImage after managedSave")
dom.create()
expect(dom.state()[1] == libvirt.VIR_DOMAIN_RUNNING_RESTORED or
       dom.state()[0] == libvirt.VIR_DOMAIN_PAUSED, "create restores")
expect(dom.hasManagedSaveImage(0) == 0, "the image is gone after create")
dom.managedSave(0)
dom.managedSaveRemove(0)
expect(dom.hasManagedSaveImage(0) == 0, "managedSaveRemove")
dom.create()
dom.coreDump(os.path.join(cwd, "py.core"), libvirt.VIR_DUMP_LIVE)
expect(os.path.exists(os.path.join(cwd, "py.core")), "coreDump")
try:
    dom.coreDumpWithFormat(os.path.join(cwd, "k.core"),
                           libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
                           libvirt.VIR_DUMP_MEMORY_ONLY)
    expect(False, "coreDumpWithFormat kdump-zlib must fail on the test driver")
except libvirt.libvirtError as e:
    expect("ELF" in e.get_error_message(), "coreDumpWithFormat error: " + e.get_error_message())
try:
    conn.restore(xml_path)
    expect(False, "restore of a foreign file must fail")
except libvirt.libvirtError as e:
    expect("not a save image" in e.get_error_message(), "foreign file error")
dom.destroy()
dom.undefine()
print("ok")
PY
    ) >"$T/out" 2>&1; then
        ok "libvirt-python save, restore, managed save and dump"
    else
        not_ok "libvirt-python save, restore, managed save and dump"
    fi
else
    ok "libvirt-python save flows # SKIP python3-libvirt is not installed"
fi

# SIGTERM: a clean exit. The daemon is not our child, so wait for it with
# tail --pid (bounded by timeout).
kill -TERM "$PID"
if timeout 30 tail --pid="$PID" -f /dev/null && [ ! -e "$T/qvirtd.pid" ]; then
    PID=
    ok "SIGTERM stops qvirtd and removes its pid file"
else
    not_ok "SIGTERM stops qvirtd and removes its pid file"
fi

exit $FAILED
