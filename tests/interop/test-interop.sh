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

echo "1..25"

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
