# tests/integration/migration/lib.sh: the harness of the real-migration tests
# (sourced by test-migration.sh; bash).
#
# What it owns and its contract:
# - mt_setup: checks the tools, builds or finds the test guest
#   (tests/guest/build-guest, cached), makes one temporary folder $MT_T and
#   installs the exit trap. Exits with a TAP "1..0 # SKIP" when QEMU,
#   qemu-img/qemu-io, virsh (the reference client), the guest or the
#   build's qvirtd/qvirt are missing.
# - Daemons are named by a SIDE letter (a, b, ...). mt_daemon_start SIDE
#   [NETNS [HOST_UUID]] starts a session qvirtd with its own XDG_* folders
#   under $MT_T/SIDE, its own socket, a qvirtd.conf with a distinct (or the
#   given) host_uuid and a debug log file ($MT_T/SIDE/qvirtd.log), and a
#   qemu.conf with its own migration port range and x509 folder
#   ($MT_T/SIDE/pki, filled by mt_make_certs), plus the lines of
#   $MT_QEMU_CONF_EXTRA when set. In NETNS (a network namespace name) when
#   given.
# - Guests: mt_guest_xml writes a domain XML (TCG, 262136 KiB, serial
#   console to a file); mt_guest_boot defines and starts it on a side and
#   waits for "qvirt-guest: booted" on the serial log (bounded polling, no
#   fixed sleeps).
#   The serial path is /proc/self/cwd/console.log: QEMU runs in its
#   per-domain lib folder, so the same domain XML gives each side's QEMU its
#   own console file (mt_serial SIDE names it). Both daemons run on one
#   machine, so one literal path would be shared by the two QEMUs.
# - Everything started here is stopped by PID at exit, even on failure:
#   daemons (pid files), every QEMU whose working folder is under $MT_T (its
#   /proc/PID/cwd), background clients (mt_bg_add), and network namespaces
#   made here. The folder is removed; with failures its daemon, QEMU and
#   serial logs are first copied to $MT_KEEP_LOGS (under make check:
#   tests/integration/migration/test-migration.logs in the build tree).
# - TAP: mt_begin NAME starts a test, mt_fail MSG records a failure (the
#   test goes on unless the caller returns), mt_end prints "ok"/"not ok"
#   with the failures, the last command's output and the relevant daemon log
#   lines as "# " comments. A guest kernel panic seen on a serial log is
#   reported as "guest panic", distinct from a qvirt failure.

MT_BUILDDIR=${QVIRT_TEST_BUILDDIR:-$(pwd)/tests}
MT_SRCDIR=${QVIRT_TEST_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
MT_QVIRTD=${QVIRTD:-$MT_BUILDDIR/../src/daemon/qvirtd}
MT_QVIRT=${QVIRT:-$MT_BUILDDIR/../src/shell/qvirt}
: "${QVIRT_DRIVER_DIR:=$MT_BUILDDIR/../src/drivers/.libs}"
export QVIRT_DRIVER_DIR
MT_T=
MT_N=0
MT_FAILED=0
MT_DAEMONS=""      # sides with a daemon started
MT_NETNS=""        # namespaces made here
MT_BG=""           # background client pids
MT_NAME=""         # current test
MT_ERRS=""         # its failures, one per line
MT_PANIC=""        # serial logs with a guest panic seen in the current test
MT_OUT=""          # file with the output of the last command run by mt_run
declare -A MT_MARK # SIDE -> daemon log line count at mt_begin
# Under make check, the logs of a failed run are kept in the build tree.
if [ -z "${MT_KEEP_LOGS:-}" ] && [ -n "${QVIRT_TEST_BUILDDIR:-}" ]; then
    MT_KEEP_LOGS=$QVIRT_TEST_BUILDDIR/integration/migration/test-migration.logs
fi
MT_PORT_BASE=$((41000 + ($$ % 400) * 40))
MT_SIDE_INDEX=0

# ---- set-up and clean-up ----

mt_skip_all() {
    echo "1..0 # SKIP $1"
    exit 0
}

mt_setup() {
    local tool
    # virsh (libvirt-clients) is the harness's reference client.
    for tool in qemu-system-x86_64 qemu-img qemu-io virsh timeout; do
        command -v "$tool" >/dev/null 2>&1 || mt_skip_all "$tool is not installed"
    done
    [ -x "$MT_QVIRTD" ] && [ -x "$MT_QVIRT" ] || mt_skip_all "qvirtd or qvirt is not built"
    MT_GUEST=$("$MT_SRCDIR/guest/build-guest" \
        "${QVIRT_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/qvirt/guest}") ||
        mt_skip_all "cannot build the test guest"
    # Short: UNIX socket paths under it must stay below 108 bytes.
    MT_T=$(mktemp -d /tmp/qvmig-XXXXXX)
    trap mt_cleanup EXIT
    trap 'exit 1' INT TERM HUP
    unset QVIRT_DEFAULT_URI LIBVIRT_DEFAULT_URI QVIRT_LOG_OUTPUTS QVIRT_LOG_LEVEL QVIRT_LOG_FILTERS
    export HOME="$MT_T"
    MT_OUT="$MT_T/out"
    : >"$MT_OUT"
}

# The live QEMU processes of SIDE (all sides when empty): those whose
# working folder is under the side's folder. Zombies have no cwd link and
# are not listed.
mt_qemu_pids() {
    local side=${1:-} p exe cwd
    for p in /proc/[0-9]*; do
        exe=$(readlink "$p/exe" 2>/dev/null) || continue
        case $exe in */qemu-system-*) ;; *) continue ;; esac
        cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
        case $cwd in "$MT_T/${side}"*) echo "${p#/proc/}" ;; esac
    done
}

mt_pid_alive() {
    [ -n "$1" ] && [ -d "/proc/$1" ] &&
        ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# Stop PID (not our child) with SIGTERM, SIGKILL after SECS.
mt_stop_pid() {
    local pid=$1 secs=${2:-20}
    mt_pid_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null
    timeout "$secs" tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    timeout 5 tail --pid="$pid" -f /dev/null 2>/dev/null
    return 0
}

mt_bg_add() { MT_BG="$MT_BG $1"; }

mt_cleanup() {
    local pid side ns
    # A second signal must not cut the clean-up short.
    trap '' INT TERM HUP
    for pid in $MT_BG; do
        kill -KILL "$pid" 2>/dev/null
    done
    for side in $MT_DAEMONS; do
        [ -s "$MT_T/$side/qvirtd.pid" ] && mt_stop_pid "$(cat "$MT_T/$side/qvirtd.pid")" 20
    done
    for pid in $(mt_qemu_pids); do
        kill -KILL "$pid" 2>/dev/null
    done
    for ns in $MT_NETNS; do
        ip netns del "$ns" 2>/dev/null
    done
    if [ "$MT_FAILED" != 0 ] && [ -n "${MT_KEEP_LOGS:-}" ] && [ -n "$MT_T" ]; then
        rm -rf "$MT_KEEP_LOGS"
        mkdir -p "$MT_KEEP_LOGS"
        for side in $MT_DAEMONS; do
            mkdir -p "$MT_KEEP_LOGS/$side"
            cp "$MT_T/$side/qvirtd.log" "$MT_KEEP_LOGS/$side/" 2>/dev/null
            cp -r "$MT_T/$side/state/qvirt/log" "$MT_KEEP_LOGS/$side/qemu-logs" 2>/dev/null
            find "$MT_T/$side/state/qvirt/lib" -name console.log 2>/dev/null | while read -r f; do
                cp "$f" "$MT_KEEP_LOGS/$side/$(basename "$(dirname "$f")").console.log"
            done
        done
        echo "# logs of the failed run kept in $MT_KEEP_LOGS"
    fi
    [ -n "$MT_T" ] && rm -rf "$MT_T"
    echo "1..$MT_N"
    exit "$MT_FAILED"
}

# ---- TLS material (certtool) ----

# Make a CA and one server and one client certificate under $MT_T/pki,
# then copy them into the QEMU x509 folder of every side (QEMU's names).
mt_make_certs() {
    local d=$MT_T/pki
    command -v certtool >/dev/null 2>&1 || return 1
    mkdir -p "$d"
    cat >"$d/ca.info" <<EOF
cn = qvirt migration test CA
ca
cert_signing_key
expiration_days = 2
EOF
    cat >"$d/server.info" <<EOF
organization = qvirt tests
cn = $(hostname)
dns_name = $(hostname)
dns_name = localhost
ip_address = 127.0.0.1
ip_address = ::1
tls_www_server
encryption_key
signing_key
expiration_days = 2
EOF
    cat >"$d/client.info" <<EOF
organization = qvirt tests
cn = qvirt migration client
tls_www_client
encryption_key
signing_key
expiration_days = 2
EOF
    {
        certtool --generate-privkey --key-type=ecdsa --outfile "$d/ca-key.pem" &&
            certtool --generate-self-signed --load-privkey "$d/ca-key.pem" \
                --template "$d/ca.info" --outfile "$d/ca-cert.pem" &&
            certtool --generate-privkey --key-type=ecdsa --outfile "$d/server-key.pem" &&
            certtool --generate-certificate --load-privkey "$d/server-key.pem" \
                --load-ca-certificate "$d/ca-cert.pem" --load-ca-privkey "$d/ca-key.pem" \
                --template "$d/server.info" --outfile "$d/server-cert.pem" &&
            certtool --generate-privkey --key-type=ecdsa --outfile "$d/client-key.pem" &&
            certtool --generate-certificate --load-privkey "$d/client-key.pem" \
                --load-ca-certificate "$d/ca-cert.pem" --load-ca-privkey "$d/ca-key.pem" \
                --template "$d/client.info" --outfile "$d/client-cert.pem"
    } >"$d/certtool.log" 2>&1
}

# ---- daemons ----

mt_side_env() {
    local side=$1
    echo "XDG_RUNTIME_DIR=$MT_T/$side/run XDG_CONFIG_HOME=$MT_T/$side/config" \
        "XDG_STATE_HOME=$MT_T/$side/state HOME=$MT_T/$side"
}
mt_sock() { echo "$MT_T/$1/run/qvirt/qvirt-sock"; }
mt_uri() { echo "qemu+unix:///session?socket=$(mt_sock "$1")"; }
mt_log() { echo "$MT_T/$1/qvirtd.log"; }
# The serial console file of domain NAME (default mig) on SIDE.
mt_serial() { echo "$MT_T/$1/state/qvirt/lib/qemu/domain-${2:-mig}/console.log"; }
mt_qemu_log() { echo "$MT_T/$1/state/qvirt/log/qemu/${2:-mig}.log"; }

# mt_daemon_start SIDE [NETNS [HOST_UUID]]: HOST_UUID defaults to a new one.
mt_daemon_start() {
    local side=$1 ns=${2:-} uuid=${3:-} d=$MT_T/$1 lo hi
    [ -n "$uuid" ] || uuid=$(cat /proc/sys/kernel/random/uuid)
    lo=$((MT_PORT_BASE + MT_SIDE_INDEX * 10))
    hi=$((lo + 9))
    MT_SIDE_INDEX=$((MT_SIDE_INDEX + 1))
    mkdir -p "$d/run" "$d/config/qvirt" "$d/state" "$d/pki"
    chmod 0700 "$d/run"
    if [ -f "$MT_T/pki/server-cert.pem" ]; then
        cp "$MT_T/pki/ca-cert.pem" "$MT_T/pki/server-cert.pem" "$MT_T/pki/server-key.pem" \
            "$MT_T/pki/client-cert.pem" "$MT_T/pki/client-key.pem" "$d/pki/"
    fi
    cat >"$d/config/qvirt/qvirtd.conf" <<EOF
[daemon]
host_uuid = $uuid
log_level = 1
log_outputs = 1:file:$d/qvirtd.log
EOF
    cat >"$d/config/qvirt/qemu.conf" <<EOF
[qemu]
migration_port_min = $lo
migration_port_max = $hi
tls_x509_cert_dir = $d/pki
EOF
    # Extra qemu.conf lines a test asks for (e.g. a [networks] group).
    [ -n "${MT_QEMU_CONF_EXTRA:-}" ] && printf '%s\n' "$MT_QEMU_CONF_EXTRA" >>"$d/config/qvirt/qemu.conf"
    local -a pre=()
    [ -n "$ns" ] && pre=(ip netns exec "$ns")
    # Without --foreground qvirtd returns once its sockets serve. The
    # variable assignments split into words on purpose.
    # shellcheck disable=SC2046
    if env $(mt_side_env "$side") "${pre[@]}" "$MT_QVIRTD" --session \
        --pid-file "$d/qvirtd.pid" >"$MT_OUT" 2>&1 && [ -s "$d/qvirtd.pid" ]; then
        MT_DAEMONS="$MT_DAEMONS $side"
        return 0
    fi
    [ -s "$d/qvirtd.pid" ] && MT_DAEMONS="$MT_DAEMONS $side"
    return 1
}

mt_daemon_stop() {
    local side=$1
    [ -s "$MT_T/$side/qvirtd.pid" ] && mt_stop_pid "$(cat "$MT_T/$side/qvirtd.pid")" 20
}

# Clients, bounded. Output to stdout/stderr.
mt_qvirt() {
    local side=$1
    shift
    timeout 120 "$MT_QVIRT" -c "$(mt_uri "$side")" "$@"
}
mt_virsh() {
    local side=$1
    shift
    timeout 120 virsh -c "$(mt_uri "$side")" "$@"
}

# mt_run CMD...: run CMD with its output in $MT_OUT (appended to the
# test's transcript); returns its status.
mt_run() {
    local rc
    echo "\$ $*" >>"$MT_T/transcript"
    "$@" >"$MT_OUT" 2>&1
    rc=$?
    cat "$MT_OUT" >>"$MT_T/transcript"
    echo "(exit $rc)" >>"$MT_T/transcript"
    return $rc
}

# The state of domain NAME on SIDE as `domstate` prints it, "absent" when
# the domain does not exist there, "error: ..." when the call failed.
mt_domstate() {
    local side=$1 name=${2:-mig} out
    if ! out=$(mt_virsh "$side" list --all --name 2>&1); then
        echo "list failed: $(echo "$out" | tr '\n' ' ')"
    elif ! echo "$out" | grep -qx -- "$name"; then
        echo absent
    elif out=$(mt_virsh "$side" domstate "$name" 2>&1); then
        echo "$out" | head -1
    else
        echo "domstate failed: $(echo "$out" | tr '\n' ' ')"
    fi
}

# ---- guests ----

# mt_guest_xml NAME DIRTY_MB [DISK_PATH] > FILE
mt_guest_xml() {
    local name=$1 dirty=$2 disk=${3:-} cmdline
    cmdline=$(sed -e 's/dirty_mb=[0-9]*//' "$MT_GUEST/cmdline")
    cat <<XML
<domain type='qemu'>
  <name>$name</name>
  <memory unit='KiB'>262136</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$MT_GUEST/vmlinuz</kernel>
    <initrd>$MT_GUEST/initrd.gz</initrd>
    <cmdline>$cmdline dirty_mb=$dirty</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
XML
    if [ -n "$disk" ]; then
        cat <<XML
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$disk'/>
      <target dev='vda' bus='virtio'/>
    </disk>
XML
    fi
    cat <<XML
    <serial type='file'><source path='/proc/self/cwd/console.log'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
XML
}

# mt_wait_booted FILE SECS: the guest printed "booted" on FILE.
mt_wait_booted() {
    local file=$1 secs=$2 i=0
    # Bounded polling of the serial file: nothing else announces the boot.
    while [ $i -lt $((secs * 5)) ]; do
        grep -aq 'qvirt-guest: booted' "$file" 2>/dev/null && return 0
        sleep 0.2
        i=$((i + 1))
    done
    return 1
}

# mt_guest_boot SIDE XMLFILE [NAME]: define, start, wait for the boot.
mt_guest_boot() {
    local side=$1 xml=$2 name=${3:-mig}
    mt_run mt_virsh "$side" define "$xml" || { mt_fail "define on $side failed"; return 1; }
    mt_run mt_virsh "$side" start "$name" || { mt_fail "start on $side failed"; return 1; }
    mt_wait_booted "$(mt_serial "$side" "$name")" 180 ||
        { mt_fail "the guest did not boot on $side within 180 s"; return 1; }
    # Migrations start from a beating guest: heartbeat 1 is printed.
    mt_wait_hb "$(mt_serial "$side" "$name")" 1 60 ||
        { mt_fail "the guest on $side printed no heartbeat within 60 s of its boot"; return 1; }
}

# Remove domain NAME from SIDE: destroy, undefine, then kill any QEMU left
# in the side's folder (reported as a failure of the current test).
mt_domain_purge() {
    local side=$1 name=${2:-mig} st pid
    st=$(mt_domstate "$side" "$name")
    if [ "$st" != absent ]; then
        mt_virsh "$side" destroy "$name" >/dev/null 2>&1
        mt_virsh "$side" undefine "$name" >/dev/null 2>&1
        st=$(mt_domstate "$side" "$name")
        [ "$st" = absent ] || mt_fail "cannot remove domain $name from $side: it is '$st'"
    fi
    # A QEMU left behind (an earlier test reported why): killed by pid so
    # that this test starts clean.
    for pid in $(mt_qemu_pids "$side/"); do
        mt_wait_cond 10 eval "! mt_pid_alive $pid" && continue
        echo "# note: killing QEMU pid $pid left on $side by an earlier step"
        kill -KILL "$pid" 2>/dev/null
    done
}

# ---- heartbeats and panics ----

mt_hb_all() { grep -aoE 'heartbeat [0-9]+ pass' "$1" 2>/dev/null | awk '{print $2}'; }
mt_hb_first() { mt_hb_all "$1" | head -1; }
mt_hb_last() { mt_hb_all "$1" | tail -1; }
mt_booted_count() { grep -ac 'qvirt-guest: booted' "$1" 2>/dev/null; }

# A kernel panic (or oops) on serial log FILE.
mt_panic_seen() {
    grep -aqE 'Kernel panic|BUG: |Oops:|scheduling while atomic|Fatal exception|RIP: 0010:0x0' \
        "$1" 2>/dev/null
}

# mt_check_panic FILE LABEL: record a guest panic (distinct failure kind).
mt_check_panic() {
    if mt_panic_seen "$1"; then
        MT_PANIC="$MT_PANIC $1"
        mt_fail "guest panic on the $2 serial console (QEMU 7.2 TCG issue, see known-qemu-issues.md; not a qvirt failure by itself)"
        return 1
    fi
    return 0
}

# mt_wait_hb FILE MIN SECS: the heartbeat on FILE reaches MIN.
mt_wait_hb() {
    local file=$1 min=$2 secs=$3 i=0 last
    # Bounded polling of the serial file: the guest prints once a second.
    while [ $i -lt $((secs * 5)) ]; do
        last=$(mt_hb_last "$file")
        [ -n "$last" ] && [ "$last" -ge "$min" ] && return 0
        mt_panic_seen "$file" && return 1
        sleep 0.2
        i=$((i + 1))
    done
    return 1
}

# mt_wait_cond SECS CMD...: bounded polling until CMD succeeds (for states
# no event announces to a shell client).
mt_wait_cond() {
    local secs=$1 i=0
    shift
    while [ $i -lt $((secs * 5)) ]; do
        "$@" && return 0
        sleep 0.2
        i=$((i + 1))
    done
    return 1
}

# The source's migration job is running (domjobinfo says Unbounded).
mt_job_active() {
    mt_virsh "$1" domjobinfo "${2:-mig}" 2>/dev/null | grep -q '^Job type: *Unbounded'
}
mt_no_qemu() { [ -z "$(mt_qemu_pids "$1/")" ]; }
mt_has_qemu() { [ -n "$(mt_qemu_pids "$1/")" ]; }

# ---- TAP ----

mt_begin() {
    local side
    MT_NAME=$1
    MT_ERRS=""
    MT_PANIC=""
    : >"$MT_T/transcript"
    for side in $MT_DAEMONS; do
        MT_MARK[$side]=$(wc -l <"$(mt_log "$side")" 2>/dev/null || echo 0)
    done
    echo "# --- $MT_NAME ($(date -u +%T))"
}

mt_fail() {
    MT_ERRS="${MT_ERRS}$1
"
    return 1
}

# The daemon log lines of SIDE since mt_begin.
mt_log_since() {
    local side=$1
    tail -n +"$((${MT_MARK[$side]:-0} + 1))" "$(mt_log "$side")" 2>/dev/null
}

mt_diag() { sed 's/^/#   /'; }

mt_end() {
    local side f kind=""
    MT_N=$((MT_N + 1))
    if [ -z "$MT_ERRS" ]; then
        echo "ok $MT_N - $MT_NAME"
        return 0
    fi
    MT_FAILED=1
    [ -n "$MT_PANIC" ] && kind=" [guest panic]"
    echo "not ok $MT_N - $MT_NAME$kind"
    echo "# failures:"
    printf '%s' "$MT_ERRS" | mt_diag
    echo "# commands and their output (last 40 lines):"
    tail -n 40 "$MT_T/transcript" | mt_diag
    for side in $MT_DAEMONS; do
        echo "# qvirtd $side: warnings and errors since the test began (last 30):"
        mt_log_since "$side" | grep -E ': (warning|error) : ' | tail -n 30 | mt_diag
        echo "# qvirtd $side: migration lines since the test began (last 25):"
        mt_log_since "$side" | grep -iE 'migrat|cookie|nbd|mirror|switchover|lease' |
            grep -vE 'query-migrate|"return"' | tail -n 25 | mt_diag
    done
    for f in $MT_PANIC; do
        echo "# serial log with the panic: $f (last 60 lines)"
        tail -n 60 "$f" | tr -d '\r' | mt_diag
    done
    return 1
}

mt_skip() {
    MT_N=$((MT_N + 1))
    echo "ok $MT_N - $1 # SKIP $2"
}
