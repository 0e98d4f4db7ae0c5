#!/bin/sh
# test-interop-qemu.sh: the stock virsh (Debian libvirt-clients) driving a
# real QEMU guest through qvirtd's QEMU driver, as TAP.
#
# A session qvirtd runs in a temporary folder (its own XDG variables) and is
# addressed as qemu+unix:///session?socket=PATH. The guest is the project's
# test guest (tests/guest/build-guest, cached), TCG. Waits read the guest's
# serial log or poll virsh with a bound; the daemon and any QEMU it started
# are killed by pid at exit, even when a step fails.
set -u

BUILDDIR=${QVIRT_TEST_BUILDDIR:-$(pwd)/tests}
SRCDIR=${QVIRT_TEST_SRCDIR:-$(dirname "$0")/..}
QVIRTD=${QVIRTD:-$BUILDDIR/../src/daemon/qvirtd}

for tool in virsh qemu-system-x86_64; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "1..0 # SKIP $tool is not installed"
        exit 0
    fi
done
GUEST=$("$SRCDIR/guest/build-guest" "${QVIRT_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/qvirt/guest}") || {
    echo "1..0 # SKIP cannot build the test guest"
    exit 0
}

T=$(mktemp -d "${TMPDIR:-/tmp}/qvirt-interop-qemu-XXXXXX")
PID=
EVPID=
cleanup() {
    [ -n "$EVPID" ] && kill "$EVPID" 2>/dev/null
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
    # Any QEMU the daemon left: its pid is in the status file.
    for f in "$T"/state/qvirt/qemu/*.xml "$T"/run/qvirt/qemu/*.xml; do
        [ -f "$f" ] || continue
        qpid=$(sed -n "s/.*<domstatus[^>]* pid='\([0-9]*\)'.*/\1/p" "$f" | head -1)
        [ -n "$qpid" ] && kill -KILL "$qpid" 2>/dev/null
    done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

export XDG_RUNTIME_DIR="$T/run" XDG_CONFIG_HOME="$T/config" XDG_STATE_HOME="$T/state"
export HOME="$T"
unset QVIRT_DEFAULT_URI LIBVIRT_DEFAULT_URI
mkdir -p "$XDG_RUNTIME_DIR"
chmod 0700 "$XDG_RUNTIME_DIR"
SOCK="$XDG_RUNTIME_DIR/qvirt/qvirt-sock"
URI="qemu+unix:///session?socket=$SOCK"
SERIAL="$T/console.log"

N=0
FAILED=0
ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() {
    N=$((N + 1)); FAILED=1
    echo "not ok $N - $1"
    [ -f "$T/out" ] && sed 's/^/# /' "$T/out"
}
check() {
    name=$1; want=$2; shift 2
    if "$@" >"$T/out" 2>&1 && { [ -z "$want" ] || grep -qF -- "$want" "$T/out"; }; then
        ok "$name"
    else
        not_ok "$name"
    fi
}
v() { timeout 60 virsh -c "$URI" "$@"; }
# wait_for NAME SECONDS COMMAND...: bounded polling until COMMAND succeeds.
wait_for() {
    name=$1; secs=$2; shift 2
    i=0
    while [ $i -lt $((secs * 5)) ]; do
        if "$@" >"$T/out" 2>&1; then
            ok "$name"
            return 0
        fi
        i=$((i + 1))
        sleep 0.2
    done
    not_ok "$name"
    return 1
}
booted() { [ "$(grep -c 'qvirt-guest: booted' "$SERIAL" 2>/dev/null)" -ge "$1" ]; }
state_is() { [ "$(v domstate demo 2>/dev/null | head -1)" = "$1" ]; }

cat >"$T/demo.xml" <<XML
<domain type='qemu'>
  <name>demo</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$GUEST/vmlinuz</kernel>
    <initrd>$GUEST/initrd.gz</initrd>
    <cmdline>$(cat "$GUEST/cmdline")</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='file'><source path='$SERIAL'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
XML

echo "1..21"

if "$QVIRTD" --session --pid-file "$T/qvirtd.pid" >"$T/out" 2>&1 && [ -s "$T/qvirtd.pid" ]; then
    PID=$(cat "$T/qvirtd.pid")
    ok "qvirtd starts (pid $PID)"
else
    not_ok "qvirtd starts"
    exit 1
fi

timeout 300 virsh -c "$URI" event --loop --all >"$T/events" 2>&1 &
EVPID=$!

check "capabilities name the qemu domain type" "<domain type='qemu'" v capabilities
if v capabilities >"$T/caps.xml" 2>"$T/out" && virt-xml-validate "$T/caps.xml" capability >"$T/out" 2>&1; then
    ok "capabilities validate against libvirt's schema"
else
    not_ok "capabilities validate against libvirt's schema"
fi
check "nodeinfo" "Memory size:" v nodeinfo
check "define" "Domain 'demo' defined" v define "$T/demo.xml"
check "start" "Domain 'demo' started" v start demo
wait_for "the guest boots" 180 booted 1
check "dominfo" "running" v dominfo demo
check "dumpxml shows live aliases" "<alias name='serial0'/>" v dumpxml demo
check "domjobinfo answers" "Job type:" v domjobinfo demo
check "qemu-monitor-command (QMP)" '"running":true' \
    v qemu-monitor-command demo '{"execute":"query-status"}'
check "qemu-monitor-command --hmp" "VM status: running" \
    v qemu-monitor-command demo --hmp 'info status'
check "suspend" "Domain 'demo' suspended" v suspend demo
check "domstate paused" "paused" v domstate demo
check "resume" "Domain 'demo' resumed" v resume demo
check "shutdown (ACPI)" "is being shutdown" v shutdown demo
wait_for "the guest powers off" 120 state_is "shut off"
check "start again" "Domain 'demo' started" v start demo
check "destroy" "Domain 'demo' destroyed" v destroy demo
check "undefine" "Domain 'demo' has been undefined" v undefine demo

kill -INT "$EVPID" 2>/dev/null
wait "$EVPID" 2>/dev/null
EVPID=
cp "$T/events" "$T/out"
if grep -q "Started Booted" "$T/events" && grep -q "Suspended Paused" "$T/events" &&
   grep -q "Resumed Unpaused" "$T/events" && grep -q "Stopped Shutdown" "$T/events" &&
   grep -q "Stopped Destroyed" "$T/events"; then
    ok "virsh event received the QEMU guest's lifecycle events"
else
    not_ok "virsh event received the QEMU guest's lifecycle events"
fi

kill -TERM "$PID"
timeout 30 tail --pid="$PID" -f /dev/null && PID=
exit $FAILED
