#!/usr/bin/env bash
# tests/integration/network/test-network.sh: host networking of real guests
# (src/qemu/qemu_interface.c, src/util/netdev.c), as TAP.
#
# Runs as root only: every device lives in network namespaces made here
# (qvnetA$$, qvnetB$$), each with a bridge br0 (10.77.0.1/24) and joined by
# a veth pair for the migration stream; the host's own interfaces are never
# touched and guest traffic stays inside the namespaces. The session qvirtd
# of the harness (../migration/lib.sh) runs inside a namespace as root, so it
# has CAP_NET_ADMIN there; the "session mode" case starts one without it
# (setpriv drops CAP_NET_ADMIN from its bounding set).
#
# Cases: two guests on a bridge ping each other (one via <interface
# type='network'> resolved by qemu.conf's [networks]); taps are gone after
# destroy, after kill -9 of QEMU and after a failed start (missing bridge,
# unknown network, a tap name taken); a 16-byte name is refused; a daemon
# without CAP_NET_ADMIN refuses a bridge interface clearly but opens a
# pre-made tap (managed='no'); a migration between the namespaces creates
# the destination tap before migrate-incoming and the guest's ping goes on;
# a daemon restart finds the tap again and removes it at destroy.
# Skipped without root, ip, setpriv or the harness's tools.

MT_SRCDIR=${QVIRT_TEST_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -z "${MT_KEEP_LOGS:-}" ] && [ -n "${QVIRT_TEST_BUILDDIR:-}" ]; then
    MT_KEEP_LOGS=$QVIRT_TEST_BUILDDIR/integration/network/test-network.logs
fi
# shellcheck source=../migration/lib.sh
. "$MT_SRCDIR/integration/migration/lib.sh"

[ "$(id -u)" = 0 ] || mt_skip_all "needs root (network namespaces and tap devices)"
for tool in ip setpriv; do
    command -v "$tool" >/dev/null 2>&1 || mt_skip_all "$tool is not installed"
done
mt_setup

NSA=qvnetA$$
NSB=qvnetB$$
ip netns add "$NSA" 2>/dev/null || mt_skip_all "cannot create a network namespace"
MT_NETNS="$NSA"
ip netns add "$NSB" 2>/dev/null || mt_skip_all "cannot create a second network namespace"
MT_NETNS="$NSA $NSB"
for ns in "$NSA" "$NSB"; do
    ip -n "$ns" link set lo up &&
        ip -n "$ns" link add br0 type bridge &&
        ip -n "$ns" addr add 10.77.0.1/24 dev br0 &&
        ip -n "$ns" link set br0 up || mt_skip_all "cannot make a bridge in $ns"
done
# The migration stream goes over this pair.
ip link add qvma$$ netns "$NSA" type veth peer name qvmb$$ netns "$NSB" &&
    ip -n "$NSA" addr add 10.78.0.1/24 dev qvma$$ && ip -n "$NSB" addr add 10.78.0.2/24 dev qvmb$$ &&
    ip -n "$NSA" link set qvma$$ up && ip -n "$NSB" link set qvmb$$ up ||
    mt_skip_all "cannot join the namespaces with a veth pair"

MT_QEMU_CONF_EXTRA='[networks]
lan = br0'

# ---- helpers ----

# net_guest_xml NAME IP PEER INTERFACE_XML...: the test guest with the
# network configured from its kernel command line.
net_guest_xml() {
    local name=$1 ip=$2 peer=$3 ifaces
    shift 3
    ifaces=$(printf '%s\n' "$@")
    mt_guest_xml "$name" 0 |
        sed -e "s|dirty_mb=0</cmdline>|dirty_mb=0 qvirt.ip=$ip qvirt.ping=$peer</cmdline>|" |
        awk -v ifaces="$ifaces" '/<serial /{print ifaces} {print}'
}
iface_bridge() { echo "<interface type='bridge'><source bridge='$1'/><model type='virtio'/>${2:-}</interface>"; }
iface_network() { echo "<interface type='network'><source network='$1'/><model type='virtio'/></interface>"; }

# The tap names in the live XML of NAME on SIDE, one a line.
live_taps() {
    mt_virsh "$1" dumpxml "$2" 2>/dev/null | sed -n "s/.*<target dev='\([^']*\)'.*/\1/p"
}
# The tap devices named qvnet* in namespace NS.
ns_qvnets() { ip -n "$1" -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^qvnet'; }
ns_has_dev() { ip -n "$1" link show "$2" >/dev/null 2>&1; }
ns_no_dev() { ! ns_has_dev "$@"; }

# check_tap NS TAP BRIDGE: TAP exists, is up, a port of BRIDGE, with the
# host MAC (first byte fe).
check_tap() {
    local ns=$1 tap=$2 br=$3 out
    out=$(ip -n "$ns" -o link show "$tap" 2>&1) || { mt_fail "tap '$tap' does not exist in $ns"; return 1; }
    case $out in *"master $br "*) ;; *) mt_fail "tap $tap is not a port of $br: $out" ;; esac
    case $out in *"<"*UP*">"*) ;; *) mt_fail "tap $tap is not up: $out" ;; esac
    case $out in *"link/ether fe:"*) ;; *) mt_fail "tap $tap lacks the host MAC fe:...: $out" ;; esac
}

# wait_ping FILE PEER SECS [AFTER]: an "ok" ping line numbered above AFTER.
ping_last_ok() { grep -aoE "qvirt-guest: ping $2 ok [0-9]+" "$1" 2>/dev/null | awk '{print $5}' | tail -1; }
wait_ping() {
    local file=$1 peer=$2 secs=$3 after=${4:-0} i=0 n
    # Bounded polling of the serial file: the guest prints once a second.
    while [ $i -lt $((secs * 5)) ]; do
        n=$(ping_last_ok "$file" "$peer")
        [ -n "$n" ] && [ "$n" -gt "$after" ] && return 0
        sleep 0.2
        i=$((i + 1))
    done
    return 1
}

# The pid the status file of NAME on SIDE records.
status_pid() {
    sed -n "s/.*<domstatus [^>]*pid='\([0-9]*\)'.*/\1/p" "$MT_T/$1/run/qvirt/qemu/$2.xml" 2>/dev/null
}

start_fails_with() {
    local side=$1 name=$2 want=$3
    if mt_run mt_virsh "$side" start "$name"; then
        mt_fail "start of $name succeeded; expected an error with '$want'"
        mt_virsh "$side" destroy "$name" >/dev/null 2>&1
        return 1
    fi
    grep -qF -- "$want" "$MT_OUT" || mt_fail "the start error of $name lacks '$want': $(tr '\n' ' ' <"$MT_OUT")"
}

# ---- 1: two guests on a bridge ----
mt_begin "1: two guests on bridge br0 (types bridge and network) ping each other"
if ! mt_daemon_start a "$NSA"; then
    mt_fail "the daemon did not start in $NSA: $(cat "$MT_OUT")"
else
    net_guest_xml g1 10.77.0.2/24 10.77.0.3 "$(iface_bridge br0)" >"$MT_T/g1.xml"
    net_guest_xml g2 10.77.0.3/24 10.77.0.2 "$(iface_network lan)" >"$MT_T/g2.xml"
    if mt_guest_boot a "$MT_T/g1.xml" g1 && mt_guest_boot a "$MT_T/g2.xml" g2; then
        T1=$(live_taps a g1)
        T2=$(live_taps a g2)
        case $T1 in qvnet[0-9]*) ;; *) mt_fail "g1's live XML names tap '$T1', expected qvnetN" ;; esac
        case $T2 in qvnet[0-9]*) ;; *) mt_fail "g2's live XML names tap '$T2', expected qvnetN" ;; esac
        [ -n "$T1" ] && check_tap "$NSA" "$T1" br0
        [ -n "$T2" ] && check_tap "$NSA" "$T2" br0
        wait_ping "$(mt_serial a g1)" 10.77.0.3 90 ||
            mt_fail "g1 got no ping answer from g2: $(grep -a 'qvirt-guest: \(eth0\|cannot\|ping\)' "$(mt_serial a g1)" | tail -3 | tr '\n' ' ')"
        wait_ping "$(mt_serial a g2)" 10.77.0.2 60 ||
            mt_fail "g2 got no ping answer from g1: $(grep -a 'qvirt-guest: \(eth0\|cannot\|ping\)' "$(mt_serial a g2)" | tail -3 | tr '\n' ' ')"
        ip link show "$T1" >/dev/null 2>&1 && mt_fail "tap $T1 is visible outside the namespace"
    fi
fi
mt_end

# ---- 2: taps are gone after destroy, kill -9 and a failed start ----
mt_begin "2a: destroy removes the tap"
if [ -n "${T1:-}" ]; then
    mt_run mt_virsh a destroy g1 || mt_fail "destroy g1 failed"
    mt_wait_cond 10 ns_no_dev "$NSA" "$T1" || mt_fail "tap $T1 remains after destroy"
else
    mt_fail "no guest g1 from case 1"
fi
mt_end

mt_begin "2b: kill -9 of QEMU (a crash) removes the tap"
if [ -n "${T2:-}" ]; then
    pid=$(status_pid a g2)
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null)
    if [ -z "$pid" ] || [ "$cwd" != "$MT_T/a/state/qvirt/lib/qemu/domain-g2" ]; then
        mt_fail "the status of g2 names pid '$pid', which is not its QEMU (cwd '$cwd')"
    else
        kill -KILL "$pid"
        mt_wait_cond 30 eval '[ "$(mt_domstate a g2)" = "shut off" ]' ||
            mt_fail "g2 is '$(mt_domstate a g2)' after its QEMU was killed"
        mt_wait_cond 10 ns_no_dev "$NSA" "$T2" || mt_fail "tap $T2 remains after the crash"
    fi
else
    mt_fail "no guest g2 from case 1"
fi
mt_end

mt_begin "2c: a failed start leaves no device (missing bridge, unknown network, taken name)"
net_guest_xml g3 10.77.0.4/24 10.77.0.1 "$(iface_bridge br0)" "$(iface_bridge nobr0)" >"$MT_T/g3.xml"
if mt_run mt_virsh a define "$MT_T/g3.xml"; then
    start_fails_with a g3 "bridge 'nobr0' does not exist"
    grep -qF "interface 'net1' of domain 'g3'" "$MT_OUT" || mt_fail "the error does not name interface net1: $(cat "$MT_OUT")"
    [ -z "$(ns_qvnets "$NSA")" ] || mt_fail "devices left after the failed start: $(ns_qvnets "$NSA" | tr '\n' ' ')"
    [ "$(mt_domstate a g3)" = "shut off" ] || mt_fail "g3 is '$(mt_domstate a g3)'"
    mt_virsh a undefine g3 >/dev/null 2>&1
else
    mt_fail "define g3 failed"
fi
net_guest_xml g4 10.77.0.4/24 10.77.0.1 "$(iface_bridge br0)" "$(iface_network nonet)" >"$MT_T/g4.xml"
if mt_run mt_virsh a define "$MT_T/g4.xml"; then
    start_fails_with a g4 "network 'nonet' is unknown"
    [ -z "$(ns_qvnets "$NSA")" ] || mt_fail "devices left after the failed start: $(ns_qvnets "$NSA" | tr '\n' ' ')"
    mt_virsh a undefine g4 >/dev/null 2>&1
else
    mt_fail "define g4 failed"
fi
ip -n "$NSA" link add taken0 type bridge
net_guest_xml g5 10.77.0.4/24 10.77.0.1 "$(iface_bridge br0 "<target dev='taken0'/>")" >"$MT_T/g5.xml"
if mt_run mt_virsh a define "$MT_T/g5.xml"; then
    start_fails_with a g5 "cannot create tap device 'taken0'"
    ns_has_dev "$NSA" taken0 || mt_fail "the failed start removed the device taken0 it did not make"
    mt_virsh a undefine g5 >/dev/null 2>&1
else
    mt_fail "define g5 failed"
fi
ip -n "$NSA" link del taken0 2>/dev/null
mt_no_qemu a || mt_fail "a QEMU remains after the failed starts: $(mt_qemu_pids a/ | tr '\n' ' ')"
mt_end

# ---- 3: names longer than IFNAMSIZ - 1 ----
mt_begin "3: a tap name of 16 bytes is refused"
net_guest_xml g6 10.77.0.4/24 10.77.0.1 "$(iface_bridge br0 "<target dev='abcdefghijklmnop'/>")" >"$MT_T/g6.xml"
if mt_run mt_virsh a define "$MT_T/g6.xml"; then
    mt_fail "define accepted the target dev 'abcdefghijklmnop'"
    mt_virsh a undefine g6 >/dev/null 2>&1
else
    grep -qF "invalid interface target name 'abcdefghijklmnop'" "$MT_OUT" ||
        mt_fail "unexpected error: $(cat "$MT_OUT")"
fi
mt_end

# ---- 6: reconnect after a daemon restart ----
mt_begin "6: a daemon restart finds the tap again; destroy then removes it (and <mtu>)"
net_guest_xml g7 10.77.0.5/24 10.77.0.1 "$(iface_bridge br0 "<mtu size='1400'/>")" >"$MT_T/g7.xml"
if mt_guest_boot a "$MT_T/g7.xml" g7; then
    T7=$(live_taps a g7)
    check_tap "$NSA" "$T7" br0
    # <mtu> sets the tap's MTU (and virtio-net's host_mtu, which QEMU took).
    ip -n "$NSA" -o link show "$T7" | grep -q ' mtu 1400 ' ||
        mt_fail "tap $T7 has not the MTU 1400 of <mtu>: $(ip -n "$NSA" -o link show "$T7")"
    mt_daemon_stop a
    ns_has_dev "$NSA" "$T7" || mt_fail "tap $T7 went away with the daemon"
    if ! mt_daemon_start a "$NSA"; then
        mt_fail "the daemon did not restart: $(cat "$MT_OUT")"
    else
        [ "$(mt_domstate a g7)" = running ] || mt_fail "g7 is '$(mt_domstate a g7)' after the restart"
        [ "$(live_taps a g7)" = "$T7" ] || mt_fail "the live XML names '$(live_taps a g7)', not $T7"
        grep -q "found its tap $T7 again" "$(mt_log a)" || mt_fail "the daemon did not log finding $T7"
        mt_run mt_virsh a destroy g7 || mt_fail "destroy g7 failed"
        mt_wait_cond 10 ns_no_dev "$NSA" "$T7" || mt_fail "tap $T7 remains after destroy"
    fi
fi
mt_end

# ---- 5: migration between the namespaces ----
mt_begin "5: migration to another namespace: its tap exists before migrate-incoming, the ping goes on"
net_guest_xml g8 10.77.0.6/24 10.77.0.1 "$(iface_bridge br0)" >"$MT_T/g8.xml"
if ! mt_daemon_start b "$NSB"; then
    mt_fail "the daemon did not start in $NSB: $(cat "$MT_OUT")"
elif mt_guest_boot a "$MT_T/g8.xml" g8; then
    TS=$(live_taps a g8)
    wait_ping "$(mt_serial a g8)" 10.77.0.1 60 || mt_fail "g8 cannot ping br0 on a"
    before=$(ping_last_ok "$(mt_serial a g8)" 10.77.0.1)
    mark=$(wc -l <"$(mt_log b)")
    if mt_run mt_virsh a migrate --live g8 "$(mt_uri b)" --migrateuri tcp:10.78.0.2; then
        TD=$(live_taps b g8)
        [ -n "$TD" ] && check_tap "$NSB" "$TD" br0
        mt_wait_cond 10 ns_no_dev "$NSA" "$TS" || mt_fail "source tap $TS remains after the migration"
        # The destination made its tap before it sent migrate-incoming.
        tap_line=$(tail -n +"$((mark + 1))" "$(mt_log b)" | grep -n "uses tap $TD" | head -1 | cut -d: -f1)
        inc_line=$(tail -n +"$((mark + 1))" "$(mt_log b)" | grep -n 'migrate-incoming' | head -1 | cut -d: -f1)
        if [ -z "$tap_line" ] || [ -z "$inc_line" ] || [ "$tap_line" -ge "$inc_line" ]; then
            mt_fail "destination log: tap made at line '${tap_line}', migrate-incoming at '${inc_line}'"
        fi
        wait_ping "$(mt_serial b g8)" 10.77.0.1 60 "$before" ||
            mt_fail "no ping answer after the migration: $(grep -a 'ping' "$(mt_serial b g8)" | tail -3 | tr '\n' ' ')"
        mt_virsh b destroy g8 >/dev/null 2>&1
        mt_wait_cond 10 ns_no_dev "$NSB" "$TD" || mt_fail "destination tap $TD remains after destroy"
    else
        mt_fail "migrate a -> b failed: $(tr '\n' ' ' <"$MT_OUT")"
    fi
fi
mt_domain_purge a g8
mt_end

# ---- 4: a daemon without CAP_NET_ADMIN ("session mode") ----
mt_begin "4: a daemon without CAP_NET_ADMIN refuses a bridge interface; opens a pre-made tap"
cat >"$MT_T/qvirtd-nocap" <<EOF
#!/bin/sh
exec setpriv --inh-caps=-net_admin --bounding-set=-net_admin "$MT_QVIRTD" "\$@"
EOF
chmod +x "$MT_T/qvirtd-nocap"
mt_daemon_stop a
REAL_QVIRTD=$MT_QVIRTD
MT_QVIRTD=$MT_T/qvirtd-nocap
mt_daemon_start s "$NSA"
rc=$?
MT_QVIRTD=$REAL_QVIRTD
if [ $rc != 0 ]; then
    mt_fail "the daemon without CAP_NET_ADMIN did not start: $(cat "$MT_OUT")"
else
    grep -q '^CapEff:.*' "/proc/$(cat "$MT_T/s/qvirtd.pid")/status" &&
        [ $((0x$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$(cat "$MT_T/s/qvirtd.pid")/status") >> 12 & 1)) = 0 ] ||
        mt_fail "the daemon still has CAP_NET_ADMIN"
    net_guest_xml g9 10.77.0.7/24 10.77.0.1 "$(iface_bridge br0)" >"$MT_T/g9.xml"
    if mt_run mt_virsh s define "$MT_T/g9.xml"; then
        start_fails_with s g9 "bridge interfaces need the system daemon (root)"
        [ -z "$(ns_qvnets "$NSA")" ] || mt_fail "devices left: $(ns_qvnets "$NSA" | tr '\n' ' ')"
        mt_virsh s undefine g9 >/dev/null 2>&1
    else
        mt_fail "define g9 failed"
    fi
    ip -n "$NSA" tuntap add mode tap name qvpre0 &&
        ip -n "$NSA" link set qvpre0 master br0 && ip -n "$NSA" link set qvpre0 up
    net_guest_xml g10 10.77.0.8/24 10.77.0.1 \
        "<interface type='ethernet'><target dev='qvpre0' managed='no'/><model type='virtio'/></interface>" >"$MT_T/g10.xml"
    if mt_guest_boot s "$MT_T/g10.xml" g10; then
        wait_ping "$(mt_serial s g10)" 10.77.0.1 90 || mt_fail "g10 on the pre-made tap cannot ping br0"
        mt_run mt_virsh s destroy g10 || mt_fail "destroy g10 failed"
        ns_has_dev "$NSA" qvpre0 || mt_fail "destroy removed the managed='no' tap qvpre0"
    fi
    ip -n "$NSA" link del qvpre0 2>/dev/null
fi
mt_end

# mt_cleanup (the EXIT trap) stops everything, prints the plan and exits.
exit 0
