#!/bin/sh
# tests/shell/test-shell.sh: the qvirt shell against a qvirtd of the build
# tree serving its test driver (test+unix:///default?socket=...), printing
# TAP. Every command's output and exit code is checked against virsh's
# formats. The daemon runs in session mode under a temporary folder; it and
# every client started here are stopped by pid on exit, the folder removed.
set -u

builddir=${QVIRT_TEST_BUILDDIR:-$(pwd)/tests}
srcdir=${QVIRT_TEST_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
QVIRTD=$builddir/../src/daemon/qvirtd
QVIRT=$builddir/../src/shell/qvirt
data=$srcdir/shell/data
: "${QVIRT_DRIVER_DIR:=$builddir/../src/drivers/.libs}"
export QVIRT_DRIVER_DIR

if [ ! -x "$QVIRTD" ] || [ ! -x "$QVIRT" ]; then
    echo "1..0 # SKIP qvirtd or qvirt not built"
    exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/qvirt-shell.XXXXXX")
daemon_pid=
holder_pid=
listener_pid=

stop_pid() {
    [ -n "$1" ] || return 0
    kill "$1" 2>/dev/null || return 0
    # The daemon detached, so it is not our child and cannot be waited
    # for: a bounded poll until it is gone (at most 10 s).
    tries=0
    while kill -0 "$1" 2>/dev/null && [ $tries -lt 100 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
}

cleanup() {
    [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null
    [ -n "$holder_pid" ] && kill "$holder_pid" 2>/dev/null
    wait 2>/dev/null
    stop_pid "$daemon_pid"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mkdir -p "$tmp/run" "$tmp/config" "$tmp/state"
chmod 700 "$tmp/run"
export XDG_RUNTIME_DIR="$tmp/run" XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state"
export HOME="$tmp"
unset QVIRT_DEFAULT_URI QVIRT_LOG_OUTPUTS

# Without --foreground, qvirtd returns once its sockets serve.
if ! "$QVIRTD" --session --pid-file "$tmp/qvirtd.pid" >"$tmp/qvirtd.out" 2>&1; then
    echo "Bail out! qvirtd did not start: $(cat "$tmp/qvirtd.out")"
    exit 1
fi
daemon_pid=$(cat "$tmp/qvirtd.pid")
SOCK=$tmp/run/qvirt/qvirt-sock
URI="test+unix:///default?socket=$SOCK"

q() {
    "$QVIRT" -c "$URI" "$@"
}

n=0
failed=0
ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}
not_ok() {
    n=$((n + 1))
    failed=1
    echo "not ok $n - $1"
}

# check DESC EXPECTED_RC EXPECTED_STDOUT_FILE [EXPECTED_STDERR_FILE] -- CMD...
# Runs CMD; compares its exit code, standard output and (when given)
# standard error exactly.
check() {
    desc=$1
    want_rc=$2
    want_out=$3
    want_err=$4
    shift 5
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" != "$want_rc" ]; then
        not_ok "$desc (exit $rc, expected $want_rc)"
        sed 's/^/# /' "$tmp/out" "$tmp/err"
        return
    fi
    if ! diff -u "$want_out" "$tmp/out" >"$tmp/diff"; then
        not_ok "$desc (stdout)"
        sed 's/^/# /' "$tmp/diff"
        return
    fi
    if [ -n "$want_err" ] && ! diff -u "$want_err" "$tmp/err" >"$tmp/diff"; then
        not_ok "$desc (stderr)"
        sed 's/^/# /' "$tmp/diff"
        return
    fi
    ok "$desc"
}

# contains DESC PATTERN FILE: FILE has a line matching the fixed string.
contains() {
    if grep -qF -- "$2" "$3"; then
        ok "$1"
    else
        not_ok "$1 (no '$2')"
        sed 's/^/# /' "$3"
    fi
}

# q with the CPU time of dominfo (it moves) replaced by "N".
q_cpu() {
    q "$@" >"$tmp/raw.out" 2>"$tmp/raw.err"
    rc=$?
    sed 's/^\(CPU time:[ ]*\)[0-9.]*s$/\1Ns/' "$tmp/raw.out"
    cat "$tmp/raw.err" >&2
    return $rc
}

expect() {
    cat >"$tmp/$1"
}

# The test driver's state lives while a connection is open: one client
# listening for every event holds it for the whole run.
q event --all --loop >"$tmp/holder.out" 2>&1 &
holder_pid=$!

# ---- listing ----
expect list.out <<'X'
 Id   Name   State
----------------------
 1    test   running

X
check "list" 0 "$tmp/list.out" /dev/null -- q list

VM1=$data/vm1.xml
expect define.out <<X
Domain 'vm1' defined from $VM1

X
check "define from a file" 0 "$tmp/define.out" /dev/null -- q define "$VM1"

expect define-again.out <<X
Domain 'vm1' defined from $VM1

X
check "define again updates" 0 "$tmp/define-again.out" "" -- q define --file "$VM1"

: >"$tmp/empty"
# What a command that ran prints after its output, failed or not.
echo >"$tmp/nl"
expect list-all.out <<'X'
 Id   Name   State
-----------------------
 1    test   running
 -    vm1    shut off

X
check "list --all" 0 "$tmp/list-all.out" /dev/null -- q list --all

expect list-names.out <<'X'
test
vm1

X
check "list --all --name" 0 "$tmp/list-names.out" /dev/null -- q list --all --name

expect list-running.out <<'X'
test

X
check "list --state-running --name" 0 "$tmp/list-running.out" /dev/null \
    -- q list --state-running --name

expect list-shutoff.out <<'X'
vm1

X
check "list --state-shutoff --name" 0 "$tmp/list-shutoff.out" /dev/null \
    -- q list --all --state-shutoff --name

expect list-uuid.out <<'X'
6695eb01-f6a4-8304-79aa-97f3502e193f
11111111-2222-3333-4444-555555555555

X
check "list --all --uuid" 0 "$tmp/list-uuid.out" /dev/null -- q list --all --uuid

expect bad-option.err <<'X'
error: command 'list' doesn't support option --bogus
X
check "list --bogus fails" 1 "$tmp/empty" "$tmp/bad-option.err" -- q list --bogus

# ---- information ----
expect dominfo-test.out <<'X'
Id:             1
Name:           test
UUID:           6695eb01-f6a4-8304-79aa-97f3502e193f
OS Type:        hvm
State:          running
CPU(s):         2
CPU time:       Ns
Max memory:     8388608 KiB
Used memory:    2097152 KiB
Persistent:     yes
Autostart:      disable
Managed save:   no

X
check "dominfo of a running domain" 0 "$tmp/dominfo-test.out" /dev/null -- q_cpu dominfo test

expect dominfo-vm1.out <<'X'
Id:             -
Name:           vm1
UUID:           11111111-2222-3333-4444-555555555555
OS Type:        hvm
State:          shut off
CPU(s):         1
Max memory:     1048576 KiB
Used memory:    524288 KiB
Persistent:     yes
Autostart:      disable
Managed save:   no

X
check "dominfo of an inactive domain" 0 "$tmp/dominfo-vm1.out" /dev/null -- q dominfo vm1

expect dominfo-missing.err <<'X'
error: failed to get domain 'nosuch'
error: Domain not found: no domain with matching name 'nosuch'
X
check "dominfo of a missing domain" 1 "$tmp/nl" "$tmp/dominfo-missing.err" -- q dominfo nosuch

expect dominfo-noarg.err <<'X'
error: command 'dominfo' requires <domain> option
X
check "dominfo without a domain" 1 "$tmp/empty" "$tmp/dominfo-noarg.err" -- q dominfo

printf 'running (booted)\n\n' >"$tmp/state-reason.out"
check "domstate --reason" 0 "$tmp/state-reason.out" /dev/null -- q domstate test --reason
printf 'shut off\n\n' >"$tmp/state-off.out"
check "domstate of an inactive domain" 0 "$tmp/state-off.out" /dev/null -- q domstate vm1

printf '1\n\n' >"$tmp/id.out"
check "domid" 0 "$tmp/id.out" /dev/null -- q domid test
printf -- '-\n\n' >"$tmp/id-inactive.out"
check "domid of an inactive domain" 0 "$tmp/id-inactive.out" /dev/null -- q domid vm1
printf 'test\n\n' >"$tmp/name.out"
check "domname by id" 0 "$tmp/name.out" /dev/null -- q domname 1
printf 'vm1\n\n' >"$tmp/name-uuid.out"
check "domname by uuid" 0 "$tmp/name-uuid.out" /dev/null \
    -- q domname 11111111-2222-3333-4444-555555555555
printf '6695eb01-f6a4-8304-79aa-97f3502e193f\n\n' >"$tmp/uuid.out"
check "domuuid" 0 "$tmp/uuid.out" /dev/null -- q domuuid test

q dumpxml test >"$tmp/dumpxml.out" 2>&1
contains "dumpxml shows the live id" "<domain type='test' id='1'>" "$tmp/dumpxml.out"
q dumpxml --inactive test >"$tmp/dumpxml-inactive.out" 2>&1
contains "dumpxml --inactive has no id" "<domain type='test'>" "$tmp/dumpxml-inactive.out"
q dumpxml vm1 >"$tmp/dumpxml-vm1.out" 2>&1
contains "dumpxml of a defined domain" "<name>vm1</name>" "$tmp/dumpxml-vm1.out"

# ---- lifecycle ----
expect start.out <<'X'
Domain 'vm1' started

X
check "start" 0 "$tmp/start.out" /dev/null -- q start vm1
printf 'running (booted)\n\n' >"$tmp/vm1-running.out"
check "domstate after start" 0 "$tmp/vm1-running.out" /dev/null -- q domstate --reason vm1

expect start-again.err <<'X'
error: Domain is already active
X
check "start of a running domain" 1 "$tmp/nl" "$tmp/start-again.err" -- q start vm1

expect suspend.out <<'X'
Domain 'vm1' suspended

X
check "suspend" 0 "$tmp/suspend.out" /dev/null -- q suspend vm1
printf 'paused (user)\n\n' >"$tmp/paused.out"
check "domstate paused" 0 "$tmp/paused.out" /dev/null -- q domstate vm1 --reason

expect suspend-again.err <<'X'
error: Failed to suspend domain 'vm1'
error: Requested operation is not valid: domain is already paused
X
check "suspend of a paused domain" 1 "$tmp/nl" "$tmp/suspend-again.err" -- q suspend vm1

expect resume.out <<'X'
Domain 'vm1' resumed

X
check "resume" 0 "$tmp/resume.out" /dev/null -- q resume vm1

expect reboot.out <<'X'
Domain 'vm1' is being rebooted

X
check "reboot" 0 "$tmp/reboot.out" /dev/null -- q reboot vm1

expect reset.out <<'X'
Domain 'vm1' was reset

X
check "reset" 0 "$tmp/reset.out" /dev/null -- q reset vm1

expect destroy.out <<'X'
Domain 'vm1' destroyed

X
check "destroy" 0 "$tmp/destroy.out" /dev/null -- q destroy vm1
printf 'shut off (destroyed)\n\n' >"$tmp/destroyed.out"
check "domstate after destroy" 0 "$tmp/destroyed.out" /dev/null -- q domstate vm1 --reason

expect destroy-again.err <<'X'
error: Failed to destroy domain 'vm1'
error: Requested operation is not valid: domain is not running
X
check "destroy of an inactive domain" 1 "$tmp/nl" "$tmp/destroy-again.err" -- q destroy vm1

expect autostart.out <<'X'
Domain 'vm1' marked as autostarted

X
check "autostart" 0 "$tmp/autostart.out" /dev/null -- q autostart vm1
q dominfo vm1 >"$tmp/dominfo-auto.out" 2>&1
contains "dominfo shows autostart" "Autostart:      enable" "$tmp/dominfo-auto.out"
expect autostart-off.out <<'X'
Domain 'vm1' unmarked as autostarted

X
check "autostart --disable" 0 "$tmp/autostart-off.out" /dev/null -- q autostart --disable vm1

expect undefine.out <<'X'
Domain 'vm1' has been undefined

X
check "undefine" 0 "$tmp/undefine.out" /dev/null -- q undefine vm1
expect undefined.err <<'X'
error: failed to get domain 'vm1'
error: Domain not found: no domain with matching name 'vm1'
X
check "domstate after undefine" 1 "$tmp/nl" "$tmp/undefined.err" -- q domstate vm1

check "define of malformed XML fails" 1 "$tmp/nl" "" -- q define "$data/bad.xml"
contains "define error names the file" "error: Failed to define domain from $data/bad.xml" \
    "$tmp/err"
check "define of a missing file fails" 1 "$tmp/nl" "" -- q define "$tmp/none.xml"
contains "missing file error" "error: Failed to read file '$tmp/none.xml'" "$tmp/err"

expect create.out <<'X'
Domain 'vm1' created from VM1

X
sed -i "s|VM1|$VM1|" "$tmp/create.out"
check "create (transient)" 0 "$tmp/create.out" /dev/null -- q create "$VM1"
q dominfo vm1 >"$tmp/dominfo-transient.out" 2>&1
contains "transient domain is not persistent" "Persistent:     no" "$tmp/dominfo-transient.out"
check "destroy of the transient domain" 0 "$tmp/destroy.out" /dev/null -- q destroy vm1

# ---- jobs and monitor ----
printf 'Job type:         None        \n\n' >"$tmp/jobinfo.out"
check "domjobinfo without a job" 0 "$tmp/jobinfo.out" /dev/null -- q domjobinfo test
check "domjobinfo --completed" 0 "$tmp/jobinfo.out" /dev/null -- q domjobinfo test --completed
check "qemu-monitor-command --pretty" 0 "$tmp/empty" "" \
    -- sh -c "'$QVIRT' -c '$URI' qemu-monitor-command test --pretty '{\"execute\":\"query-status\"}' >/dev/null"
q qemu-monitor-command test --pretty '{"execute":"query-status"}' >"$tmp/mon.out" 2>&1
contains "qemu-monitor-command --pretty indents" '    "status": "running",' "$tmp/mon.out"
q qemu-monitor-command test '{"execute":"query-status"}' >"$tmp/mon-raw.out" 2>&1
contains "qemu-monitor-command prints the reply" '{"return":' "$tmp/mon-raw.out"
check "qemu-monitor-command on a missing domain" 1 "$tmp/nl" "" \
    -- q qemu-monitor-command nosuch '{"execute":"query-status"}'
contains "monitor error" "error: failed to get domain 'nosuch'" "$tmp/err"
expect hmp-pretty.err <<'X'
error: Options --hmp and --pretty are mutually exclusive
X
check "qemu-monitor-command --hmp --pretty" 1 "$tmp/nl" "$tmp/hmp-pretty.err" \
    -- q qemu-monitor-command test --hmp --pretty info status

# ---- save, restore, managed save, dump (vm1; the test driver's small images) ----
check "define vm1 for save" 0 "$tmp/define.out" /dev/null -- q define "$VM1"
check "start vm1 for save" 0 "$tmp/start.out" /dev/null -- q start vm1
mkdir "$tmp/cwd"
expect save.out <<'X'

Domain 'vm1' saved to vm1.sav

X
# A relative file: the client completes it against its own folder.
check "save to a relative file" 0 "$tmp/save.out" /dev/null \
    -- sh -c "cd '$tmp/cwd' && '$QVIRT' -c '$URI' save vm1 vm1.sav"
if head -c 16 "$tmp/cwd/vm1.sav" 2>/dev/null | grep -q '^QVIRT-TEST-SAVE '; then
    ok "the image is in the client's folder"
else
    not_ok "the image is in the client's folder"
fi
printf 'shut off (saved)\n\n' >"$tmp/saved.out"
check "domstate after save" 0 "$tmp/saved.out" /dev/null -- q domstate vm1 --reason
expect save-again.err <<X
error: Failed to save domain 'vm1' to $tmp/x.sav
error: Requested operation is not valid: domain is not running
X
check "save of a stopped domain" 1 "$tmp/nl" "$tmp/save-again.err" -- q save vm1 "$tmp/x.sav"
expect restore.out <<X
Domain restored from $tmp/cwd/vm1.sav

X
check "restore" 0 "$tmp/restore.out" /dev/null -- q restore "$tmp/cwd/vm1.sav"
printf 'running (restored)\n\n' >"$tmp/restored.out"
check "domstate after restore" 0 "$tmp/restored.out" /dev/null -- q domstate vm1 --reason
expect save-paused.out <<X

Domain 'vm1' saved to $tmp/p.sav

X
check "save --paused --verbose --bypass-cache" 0 "$tmp/save-paused.out" "" \
    -- q save vm1 "$tmp/p.sav" --paused --verbose --bypass-cache
contains "save --verbose ends with 100 %" "Save: [100 %]" "$tmp/err"
check "restore of a paused image" 0 "$tmp/empty" "" \
    -- sh -c "'$QVIRT' -c '$URI' restore '$tmp/p.sav' >/dev/null"
printf 'paused (user)\n\n' >"$tmp/restored-paused.out"
check "the image says paused" 0 "$tmp/restored-paused.out" /dev/null -- q domstate vm1 --reason
check "destroy after restore" 0 "$tmp/destroy.out" /dev/null -- q destroy vm1
check "restore --running overrides the image" 0 "$tmp/empty" "" \
    -- sh -c "'$QVIRT' -c '$URI' restore '$tmp/p.sav' --running >/dev/null"
check "domstate after restore --running" 0 "$tmp/restored.out" /dev/null -- q domstate vm1 --reason
check "restore over a running domain" 1 "$tmp/nl" "" -- q restore "$tmp/p.sav"
contains "restore over a running domain says why" \
    "error: Failed to restore domain from $tmp/p.sav" "$tmp/err"
head -c 40 "$tmp/p.sav" >"$tmp/trunc.sav"
check "restore of a truncated image" 1 "$tmp/nl" "" -- q restore "$tmp/trunc.sav"
contains "truncated image error" \
    "error: operation failed: save image '$tmp/trunc.sav' is truncated" "$tmp/err"
check "restore of a foreign file" 1 "$tmp/nl" "" -- q restore "$VM1"
contains "foreign file error" "is not a save image of the test driver" "$tmp/err"
expect restore-both.err <<'X'
error: Options --running and --paused are mutually exclusive
X
check "restore --running --paused" 1 "$tmp/nl" "$tmp/restore-both.err" \
    -- q restore x --running --paused

expect managedsave.out <<'X'

Domain 'vm1' state saved by qvirt

X
check "managedsave" 0 "$tmp/managedsave.out" /dev/null -- q managedsave vm1
q dominfo vm1 >"$tmp/dominfo-managed.out" 2>&1
contains "dominfo shows the managed save" "Managed save:   yes" "$tmp/dominfo-managed.out"
expect undefine-managed.err <<'X'
error: Failed to undefine domain 'vm1'
error: Requested operation is not valid: Refusing to undefine while domain managed save image exists
X
check "undefine refuses while an image exists" 1 "$tmp/nl" "$tmp/undefine-managed.err" \
    -- q undefine vm1
check "start restores from the managed save" 0 "$tmp/start.out" /dev/null -- q start vm1
check "domstate after the managed start" 0 "$tmp/restored.out" /dev/null -- q domstate vm1 --reason
q dominfo vm1 >"$tmp/dominfo-managed2.out" 2>&1
contains "start removed the managed save" "Managed save:   no" "$tmp/dominfo-managed2.out"
expect remove-none.out <<'X'
Domain 'vm1' has no manage save image; removal skipped

X
check "managedsave-remove without an image" 0 "$tmp/remove-none.out" /dev/null \
    -- q managedsave-remove vm1
check "managedsave again" 0 "$tmp/managedsave.out" /dev/null -- q managedsave vm1
expect remove.out <<'X'
Removed managedsave image for domain 'vm1'

X
check "managedsave-remove" 0 "$tmp/remove.out" /dev/null -- q managedsave-remove vm1
check "start boots after the removal" 0 "$tmp/start.out" /dev/null -- q start vm1
check "domstate booted" 0 "$tmp/vm1-running.out" /dev/null -- q domstate vm1 --reason
check "read-only managedsave is refused" 1 "$tmp/nl" "" -- "$QVIRT" -r -c "$URI" managedsave vm1
contains "read-only managedsave error" "error: operation forbidden" "$tmp/err"
q -r dominfo vm1 >"$tmp/dominfo-ro.out" 2>&1
contains "read-only dominfo shows the managed save line" "Managed save:   no" "$tmp/dominfo-ro.out"

expect dump.out <<X

Domain 'vm1' dumped to $tmp/vm1.core

X
check "dump --live --verbose" 0 "$tmp/dump.out" "" -- q dump vm1 "$tmp/vm1.core" --live --verbose
contains "dump --verbose ends with 100 %" "Dump: [100 %]" "$tmp/err"
contains "dump writes the file" "core dump of domain 'vm1'" "$tmp/vm1.core"
check "dump --format kdump-zlib is refused by the test driver" 1 "$tmp/nl" "" \
    -- q dump vm1 "$tmp/k.core" --memory-only --format kdump-zlib
contains "dump format error" "writes only ELF (raw) dumps" "$tmp/err"
expect dump-format.err <<'X'
error: --format only works with --memory-only
X
check "dump --format without --memory-only" 1 "$tmp/nl" "$tmp/dump-format.err" \
    -- q dump vm1 c --format elf
expect dump-live-crash.err <<'X'
error: Options --live and --crash are mutually exclusive
X
check "dump --live --crash" 1 "$tmp/nl" "$tmp/dump-live-crash.err" -- q dump vm1 c --live --crash
check "dump --crash stops the domain" 0 "$tmp/empty" "" \
    -- sh -c "'$QVIRT' -c '$URI' dump vm1 '$tmp/c.core' --crash >/dev/null"
printf 'shut off (crashed)\n\n' >"$tmp/crashed.out"
check "domstate after dump --crash" 0 "$tmp/crashed.out" /dev/null -- q domstate vm1 --reason
check "managedsave of a stopped domain" 1 "$tmp/nl" "" -- q managedsave vm1
contains "managedsave error" "error: Failed to save domain 'vm1' state" "$tmp/err"
check "undefine vm1 after save" 0 "$tmp/undefine.out" /dev/null -- q undefine vm1

# ---- migration (the test driver has none: a clean error and exit 1) ----
check "migrate (client-driven) is unsupported" 1 "$tmp/nl" "" -- q migrate --live test "$URI"
contains "migrate error" "error: " "$tmp/err"
contains "migrate error says why" "support" "$tmp/err"
check "migrate --p2p is unsupported" 1 "$tmp/nl" "" -- q migrate --live --p2p test "$URI"
contains "migrate --p2p error says why" "support" "$tmp/err"
check "migrate --verbose --timeout is unsupported" 1 "$tmp/nl" "" \
    -- q migrate --live --verbose --timeout 1 --dname test2 test "$URI"
contains "migrate --verbose error says why" "support" "$tmp/err"
check "migrate to a missing destination" 1 "$tmp/nl" "" \
    -- q migrate test "test+unix:///default?socket=$tmp/none"
contains "migrate destination error" \
    "error: failed to connect to the destination 'test+unix:///default?socket=$tmp/none'" "$tmp/err"
check "migrate of a missing domain" 1 "$tmp/nl" "" -- q migrate nosuch "$URI"
contains "migrate missing domain error" "error: failed to get domain 'nosuch'" "$tmp/err"
expect migrate-direct.err <<'X'
error: direct migration is not supported: use --p2p or a client-driven migration
X
check "migrate --direct is refused" 1 "$tmp/nl" "$tmp/migrate-direct.err" \
    -- q migrate --direct test "$URI"
expect migrate-both.err <<'X'
error: Options --copy-storage-all and --copy-storage-inc are mutually exclusive
X
check "migrate with both storage copies is refused" 1 "$tmp/nl" "$tmp/migrate-both.err" \
    -- q migrate --copy-storage-all --copy-storage-inc test "$URI"
check "read-only migrate is refused" 1 "$tmp/nl" "" -- "$QVIRT" -r -c "$URI" migrate test "$URI"
contains "read-only migrate error" "error: operation forbidden" "$tmp/err"
for cmd in "migrate-setmaxdowntime test 100" "migrate-getmaxdowntime test" \
    "migrate-setspeed test 100" "migrate-setspeed test 100 --postcopy" \
    "migrate-getspeed test" "migrate-getspeed test --postcopy" "migrate-postcopy test"; do
    # shellcheck disable=SC2086 # the words of the command
    check "$cmd is unsupported" 1 "$tmp/nl" "" -- q $cmd
    contains "$cmd error says why" "not supported" "$tmp/err"
done
expect setmaxdowntime-0.err <<'X'
error: Numeric value '0' for <downtime> option is malformed or out of range
X
check "migrate-setmaxdowntime 0 is refused" 1 "$tmp/nl" "$tmp/setmaxdowntime-0.err" \
    -- q migrate-setmaxdowntime test 0
printf 'running\n\n' >"$tmp/still-running.out"
check "the domain runs on after the refused migrations" 0 "$tmp/still-running.out" /dev/null \
    -- q domstate test
check "domjobinfo after the refused migrations" 0 "$tmp/jobinfo.out" /dev/null \
    -- q domjobinfo test

# ---- connection and host ----
printf '%s\n\n' "$URI" >"$tmp/uri.out"
check "uri" 0 "$tmp/uri.out" /dev/null -- q uri
check "default URI from QVIRT_DEFAULT_URI" 0 "$tmp/uri.out" /dev/null \
    -- env QVIRT_DEFAULT_URI="$URI" "$QVIRT" uri
q version >"$tmp/version.out" 2>&1
contains "version" "Running hypervisor: TEST" "$tmp/version.out"
q hostname >"$tmp/hostname.out" 2>&1
if [ -s "$tmp/hostname.out" ]; then ok "hostname"; else not_ok "hostname"; fi
q capabilities >"$tmp/caps.out" 2>&1
contains "capabilities" "<capabilities>" "$tmp/caps.out"

check "connecting to a missing socket fails" 1 "$tmp/empty" "" \
    -- "$QVIRT" -c "test+unix:///default?socket=$tmp/none" list
contains "connect error" "error: failed to connect to the hypervisor" "$tmp/err"
check "unknown command" 1 "$tmp/empty" "" -- q frobnicate
contains "unknown command error" "error: unknown command: 'frobnicate'" "$tmp/err"

# ---- quiet ----
printf ' 1   test   running\n' >"$tmp/list-quiet.out"
check "list -q has no header" 0 "$tmp/list-quiet.out" /dev/null -- "$QVIRT" -q -c "$URI" list
check "resume -q prints nothing" 1 "$tmp/empty" "" -- "$QVIRT" -q -c "$URI" resume test
contains "resume -q still reports errors" "error: Failed to resume domain 'test'" "$tmp/err"

# ---- read-only ----
check "read-only list" 0 "$tmp/list.out" /dev/null -- "$QVIRT" -r -c "$URI" list
check "read-only define is refused" 1 "$tmp/nl" "" -- "$QVIRT" -r -c "$URI" define "$VM1"
contains "read-only error" "error: operation forbidden: read only access prevents" "$tmp/err"
check "read-only destroy is refused" 1 "$tmp/nl" "" -- "$QVIRT" -c "$URI" -r destroy test
contains "read-only destroy error" "error: operation forbidden" "$tmp/err"

# ---- interactive mode ----
printf 'list --name\n\ndomid test\nhistory\nquit\nlist\n' >"$tmp/script"
expect interactive.out <<'X'
test

1

    1  list --name
    2  domid test
    3  history


X
check "interactive session" 0 "$tmp/interactive.out" /dev/null \
    -- sh -c "'$QVIRT' -c '$URI' <'$tmp/script'"
printf 'domid test\ndomid nosuch\n' >"$tmp/script-fail"
printf '1\n\n\n' >"$tmp/id-fail.out"
check "interactive session with a failure exits 1" 1 "$tmp/id-fail.out" "" \
    -- sh -c "'$QVIRT' -c '$URI' <'$tmp/script-fail'"
check "command string" 0 "$tmp/id.out" /dev/null -- q "domid test"

# ---- shutdown (the test domain gets a new id) ----
expect shutdown.out <<'X'
Domain 'test' is being shutdown

X
check "shutdown" 0 "$tmp/shutdown.out" /dev/null -- q shutdown test
check "start after shutdown" 0 "$tmp/empty" "" -- sh -c "'$QVIRT' -c '$URI' start test >/dev/null"

# ---- events ----
q event --event lifecycle --loop --timeout 4 >"$tmp/events.out" 2>&1 &
listener_pid=$!
# The event command gives no sign that it has registered (virsh's doesn't
# either): suspend and resume until it reports something, bounded.
i=0
while ! grep -q "Suspended" "$tmp/events.out" 2>/dev/null && [ $i -lt 50 ]; do
    q suspend test >/dev/null 2>&1
    q resume test >/dev/null 2>&1
    i=$((i + 1))
done
q destroy test >/dev/null 2>&1
q start test >/dev/null 2>&1
wait "$listener_pid"
listener_pid=
contains "event: suspended" "event 'lifecycle' for domain 'test': Suspended Paused" "$tmp/events.out"
contains "event: resumed" "event 'lifecycle' for domain 'test': Resumed Unpaused" "$tmp/events.out"
contains "event: destroyed" "event 'lifecycle' for domain 'test': Stopped Destroyed" "$tmp/events.out"
contains "event: started" "event 'lifecycle' for domain 'test': Started Booted" "$tmp/events.out"
contains "event: count" "events received:" "$tmp/events.out"
contains "holder saw every event" "event 'lifecycle' for domain 'vm1': Defined Added" \
    "$tmp/holder.out"

# ---- the daemon goes away ----
q event --all --loop --timeout 60 >"$tmp/gone.out" 2>&1 &
gone_pid=$!
listener_pid=$gone_pid
# As above: no sign of registration but the first event, bounded.
i=0
while ! grep -q "Suspended" "$tmp/gone.out" 2>/dev/null && [ $i -lt 50 ]; do
    q suspend test >/dev/null 2>&1
    q resume test >/dev/null 2>&1
    i=$((i + 1))
done
stop_pid "$daemon_pid"
daemon_pid=
wait "$gone_pid"
rc=$?
listener_pid=
if [ $rc = 1 ]; then ok "event --loop ends when the daemon goes away"; else
    not_ok "event --loop ends when the daemon goes away (exit $rc)"; fi
contains "disconnection error" "error: Disconnected from $URI due to end of file" "$tmp/gone.out"
wait "$holder_pid"
rc=$?
holder_pid=
if [ $rc = 1 ]; then ok "every listener ends"; else not_ok "every listener ends (exit $rc)"; fi
check "a call after the daemon stopped fails" 1 "$tmp/empty" "" -- q list
contains "daemon gone error" "error: failed to connect to the hypervisor" "$tmp/err"

echo "1..$n"
exit $failed
