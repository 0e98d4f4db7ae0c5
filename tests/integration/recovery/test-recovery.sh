#!/bin/bash
# tests/integration/recovery/test-recovery.sh: restart recovery of
# interrupted migrations, proven by making a daemon die at each crash point
# (QVIRT_CRASH_POINT, docs/crashpoints.md) of a real live migration of the
# test guest between two session qvirtd, restarting it, and checking what
# both hosts end up with; TAP. Harness: ../migration/lib.sh (sourced).
#
# For every case the final state must be one the recovery table allows
# (src/qemu/qemu_recovery.h, docs/recovery.md):
# - the daemon armed with the point died (pid gone, and its log says the
#   point was reached), and restarted on the same folders without it;
# - exactly one QEMU runs the guest across both hosts (no orphan, none
#   lost); the host that owns it says "running" and the guest's heartbeat
#   continues there; or, only where the table says so (the source restarted
#   in phase perform3_done with QEMU completed) and no p2p peer is recorded
#   to ask (client mode), the guest is paused there and domjobinfo says
#   "outcome unknown"; in p2p mode the source asks its peer and the guest
#   ends running where the peer's answer puts it;
# - no definition is lost: every host that had a persistent definition of
#   the guest before the case still has it;
# - the job is gone (domjobinfo: None) or coherent (the outcome-unknown
#   job); a host without the QEMU does not claim the guest is active.
# Extra cases: kill -9 of a daemon at a random moment of a migration
# (5 times; 20 with QVIRT_TEST_LONG=1), a state folder that turns read-only
# mid-migration, a corrupt status file.
#
# Run time: the guest is booted once and moved back and forth; a second
# guest (with a disk) serves the storage points. By default a
# representative subset of the (point, side, mode) matrix runs; with
# QVIRT_TEST_LONG=1 the whole matrix does. The TAP output says which.
# RC_ONLY="word ..." runs only the cases whose name contains one of the
# words (plus the set-up); names: MODE/SIDE:POINT (client/src:migrate-after),
# kill9, readonly, corrupt. A failed run keeps its logs in
# tests/integration/recovery/test-recovery.logs under make check.
set -u
if [ -z "${MT_KEEP_LOGS:-}" ] && [ -n "${QVIRT_TEST_BUILDDIR:-}" ]; then
    MT_KEEP_LOGS=$QVIRT_TEST_BUILDDIR/integration/recovery/test-recovery.logs
fi
. "$(dirname "$0")/../migration/lib.sh"

mt_setup

RC_LONG=${QVIRT_TEST_LONG:-0}
RC_KILL_RUNS=5
[ "$RC_LONG" = 1 ] && RC_KILL_RUNS=20
if [ "$RC_LONG" = 1 ]; then
    echo "# QVIRT_TEST_LONG=1: the full crash-point matrix, $RC_KILL_RUNS random kills"
else
    echo "# representative subset of the crash-point matrix, $RC_KILL_RUNS random kills" \
        "(QVIRT_TEST_LONG=1 runs the full matrix and 20 random kills)"
fi

other_of() { case $1 in a) echo b ;; b) echo a ;; esac; }

# ---- daemons ----

declare -A RC_UNSHARE # SIDE -> 1 when its daemon runs in a private mount namespace

# rc_daemon_start SIDE [POINT]: start SIDE's daemon again on its folders and
# configuration (same host UUID and ports), with QVIRT_CRASH_POINT=POINT
# when given and never otherwise.
rc_daemon_start() {
    local side=$1 point=${2:-} d=$MT_T/$1
    local -a pre=() arm=()
    [ "${RC_UNSHARE[$side]:-0}" = 1 ] && pre=(unshare -m --propagation private)
    [ -n "$point" ] && arm=("QVIRT_CRASH_POINT=$point")
    # The pid file of a daemon that died names a dead process.
    if [ -s "$d/qvirtd.pid" ] && ! mt_pid_alive "$(cat "$d/qvirtd.pid")"; then
        rm -f "$d/qvirtd.pid"
    fi
    # shellcheck disable=SC2046
    env -u QVIRT_CRASH_POINT "${arm[@]}" $(mt_side_env "$side") "${pre[@]}" "$MT_QVIRTD" \
        --session --pid-file "$d/qvirtd.pid" >"$MT_OUT" 2>&1 && [ -s "$d/qvirtd.pid" ]
}

rc_daemon_pid() { cat "$MT_T/$1/qvirtd.pid" 2>/dev/null; }
rc_daemon_alive() { mt_pid_alive "$(rc_daemon_pid "$1")"; }

# rc_daemon_restart SIDE [POINT]: stop SIDE's daemon (SIGTERM: guests stay)
# when it runs, then start it (armed with POINT when given).
rc_daemon_restart() {
    local side=$1 point=${2:-}
    rc_daemon_alive "$side" && mt_daemon_stop "$side"
    rc_daemon_start "$side" "$point" ||
        { mt_fail "qvirtd $side did not start${point:+ with QVIRT_CRASH_POINT=$point}: $(cat "$MT_OUT")"; return 1; }
}

# rc_check_daemons: both daemons still run (one that dies on its own after
# a restart is a failure of the case).
rc_check_daemons() {
    local side
    for side in a b; do
        rc_daemon_alive "$side" && continue
        mt_fail "qvirtd $side (pid $(rc_daemon_pid "$side")) is no longer running; its last log line: $(tail -n 1 "$(mt_log "$side")" | cut -c1-200)"
        rc_daemon_start "$side" || mt_fail "qvirtd $side does not start again: $(cat "$MT_OUT")"
    done
}

# ---- state of the guest across both hosts ----

# rc_wait SECS CMD...: bounded polling until CMD succeeds, by the clock
# (mt_wait_cond counts rounds, and a round that scans /proc takes long
# under load). Nothing announces these states to a shell client.
rc_wait() {
    local end=$((SECONDS + $1))
    shift
    while :; do
        "$@" && return 0
        [ "$SECONDS" -ge "$end" ] && return 1
        sleep 0.2
    done
}

rc_qemu_count() { mt_qemu_pids "$1/" | wc -l; }
rc_persistent() { mt_virsh "$1" list --all --persistent --name 2>/dev/null | grep -qx mig; }

# The side whose QEMU runs domain mig (empty when none or both).
rc_owner() {
    local na nb
    na=$(rc_qemu_count a)
    nb=$(rc_qemu_count b)
    if [ "$na" = 1 ] && [ "$nb" = 0 ]; then
        echo a
    elif [ "$na" = 0 ] && [ "$nb" = 1 ]; then
        echo b
    fi
}

# Settled: exactly one QEMU in all, no migration job running on either
# side (or the owner's job says outcome unknown).
rc_settled() {
    local owner side
    owner=$(rc_owner)
    [ -n "$owner" ] || return 1
    for side in a b; do
        if mt_job_active "$side"; then
            [ "$side" = "$owner" ] && rc_outcome_unknown "$side" && continue
            return 1
        fi
    done
    return 0
}

rc_outcome_unknown() {
    mt_virsh "$1" domjobinfo mig 2>/dev/null | grep -qi 'outcome unknown'
}

CUR_SIDE=""    # where the guest runs
CUR_VARIANT="" # small or disk

# rc_guest SIDE|any VARIANT: the guest of VARIANT runs (exactly once) on
# SIDE (any: wherever it is); boots a new one on a when it must.
rc_guest() {
    local want=$1 variant=$2 owner st disk="" dirty=16
    owner=$(rc_owner)
    if [ -n "$owner" ] && [ "$CUR_VARIANT" = "$variant" ] &&
        [ "$(mt_domstate "$owner")" = running ] && ! mt_panic_seen "$(mt_serial "$owner")" &&
        ! mt_job_active "$owner" && { [ "$want" = any ] || [ "$want" = "$owner" ]; }; then
        st=$(mt_domstate "$(other_of "$owner")")
        if [ "$st" = absent ] || [ "$st" = "shut off" ]; then
            CUR_SIDE=$owner
            return 0
        fi
    fi
    [ "$want" = any ] && want=a
    CUR_SIDE=""
    mt_domain_purge a
    mt_domain_purge b
    rm -f "$MT_T/a/disk.qcow2" "$MT_T/b/disk.qcow2"
    if [ "$variant" = disk ]; then
        disk=$MT_T/$want/disk.qcow2
        mt_run qemu-img create -q -f qcow2 "$disk" 64M ||
            { mt_fail "cannot create the disk $disk"; return 1; }
    fi
    mt_guest_xml mig "$dirty" "$disk" >"$MT_T/mig-$variant.xml"
    mt_guest_boot "$want" "$MT_T/mig-$variant.xml" || return 1
    CUR_SIDE=$want
    CUR_VARIANT=$variant
}

# ---- one crash case ----

# Points of the source and of the destination (where each is reached), and
# the modes: client (the client drives) and p2p (the source daemon drives).
RC_SRC_POINTS="migration-out-begin3 migration-out-perform3 migrate-before migrate-after
    migration-out-perform3_done migration-out-confirm3 source-kill-before source-kill-after"
RC_DST_POINTS="migration-in-prepare qemu-spawn-unrecorded qemu-spawned migration-in-finish3 dst-cont-before dst-cont-after"
RC_STORAGE_POINTS="mirrors-ready migrate-continue-before migrate-continue-after"
# The default subset: every point once in client mode, the points where
# the two modes differ most in p2p mode, and two of the storage points.
RC_DEFAULT="client:* p2p:migrate-after
    p2p:migration-out-perform3_done p2p:migration-out-confirm3 p2p:source-kill-after
    p2p:migration-in-prepare p2p:migration-in-finish3 p2p:dst-cont-after
    client:mirrors-ready p2p:migrate-continue-after"

rc_selected() {
    local mode=$1 point=$2 name=$3 w
    if [ -n "${RC_ONLY:-}" ]; then
        for w in $RC_ONLY; do
            case $name in *"$w"*) return 0 ;; esac
        done
        return 1
    fi
    [ "$RC_LONG" = 1 ] && return 0
    case " $(echo $RC_DEFAULT) " in
        *" $mode:$point "*) return 0 ;;
        *" $mode:* "*) case $point in mirrors-ready | migrate-continue-*) return 1 ;; esac; return 0 ;;
    esac
    return 1
}

# rc_migrate_cmd MODE SRC DST VARIANT: the migration command, as words.
rc_migrate_cmd() {
    local mode=$1 src=$2 dst=$3 variant=$4
    RC_CMD=(timeout 90 "$MT_QVIRT" -c "$(mt_uri "$src")" migrate --live)
    [ "$mode" = p2p ] && RC_CMD+=(--p2p)
    if [ "$variant" = disk ]; then
        rm -f "$MT_T/$dst/disk.qcow2"
        mt_virsh "$src" dumpxml --migratable mig 2>/dev/null |
            sed "s|$MT_T/$src/disk.qcow2|$MT_T/$dst/disk.qcow2|" >"$MT_T/mig-dst.xml"
        RC_CMD+=(--copy-storage-all --xml "$MT_T/mig-dst.xml")
    fi
    RC_CMD+=(mig "$(mt_uri "$dst")")
}

# The extra diagnostics of a failed case: crash, reconnect and recovery
# lines of both daemons since the case began.
rc_diag() {
    local side
    for side in a b; do
        echo "# qvirtd $side: crash, reconnect and recovery lines (last 20):"
        mt_log_since "$side" | grep -v ': debug : ' |
            grep -iE 'crash point|recover|reconnect|outcome|status file|orphan|resum|confirm|finish' |
            tail -n 20 | mt_diag
    done
}

# rc_check_final SRC DST UNKNOWN_OK DEFS: the final state of a case (see the
# top). UNKNOWN_OK=1: the table allows "paused, outcome unknown" on SRC.
# DEFS: the sides that had a persistent definition before.
rc_check_final() {
    local src=$1 dst=$2 unknown_ok=$3 defs=$4 owner side st last other
    rc_check_daemons
    if ! rc_wait 30 rc_settled; then
        echo "# not settled within 30 s: QEMU on a: $(rc_qemu_count a), on b: $(rc_qemu_count b)"
    fi
    owner=$(rc_owner)
    if [ -z "$owner" ]; then
        mt_fail "expected exactly one QEMU for the guest, found $(rc_qemu_count a) on a ($(mt_qemu_pids a/ | tr '\n' ' ')) and $(rc_qemu_count b) on b ($(mt_qemu_pids b/ | tr '\n' ' '))"
        for side in a b; do
            mt_run mt_virsh "$side" domjobinfo mig
            echo "# $side: domstate '$(mt_domstate "$side")'; domjobinfo: $(tr '\n' ' ' <"$MT_OUT")"
        done
        CUR_SIDE=""
        return 1
    fi
    other=$(other_of "$owner")
    st=$(mt_domstate "$owner")
    echo "# outcome: the guest's QEMU is on $owner ($([ "$owner" = "$src" ] && echo source || echo destination)), state '$st'"
    case $st in
        running)
            mt_run mt_virsh "$owner" domjobinfo mig
            grep -q '^Job type: *None' "$MT_OUT" ||
                mt_fail "a job remains on $owner where the guest runs: $(tr '\n' ' ' <"$MT_OUT")"
            mt_check_panic "$(mt_serial "$owner")" "$owner"
            last=$(mt_hb_last "$(mt_serial "$owner")")
            mt_wait_hb "$(mt_serial "$owner")" $((${last:-0} + 2)) 20 ||
                mt_fail "the guest's heartbeat on $owner does not continue (last ${last:-none}): it does not run"
            ;;
        paused)
            if [ "$unknown_ok" = 1 ] && [ "$owner" = "$src" ] && rc_outcome_unknown "$owner"; then
                echo "# paused with outcome unknown on the source, as the table says"
                # Resolve it as an operator would: the destination has no
                # QEMU, so the source is authoritative.
                if ! mt_run mt_virsh "$owner" domjobabort mig || mt_job_active "$owner"; then
                    mt_fail "domjobabort does not drop the outcome-unknown job on $owner (the documented way to resolve it): $(tr '\n' ' ' <"$MT_OUT")"
                elif ! mt_run mt_virsh "$owner" resume mig; then
                    mt_fail "cannot resume the outcome-unknown guest on $owner: $(tr '\n' ' ' <"$MT_OUT")"
                else
                    last=$(mt_hb_last "$(mt_serial "$owner")")
                    mt_wait_hb "$(mt_serial "$owner")" $((${last:-0} + 2)) 20 ||
                        mt_fail "the resumed guest's heartbeat on $owner does not continue"
                fi
            else
                mt_run mt_virsh "$owner" domjobinfo mig
                mt_fail "the guest is paused on $owner ($([ "$owner" = "$src" ] && echo source || echo destination)), and the table allows no paused outcome here; domjobinfo: $(tr '\n' ' ' <"$MT_OUT")"
            fi
            ;;
        *)
            mt_fail "the host with the guest's QEMU ($owner) says '$st'"
            ;;
    esac
    st=$(mt_domstate "$other")
    case $st in
        absent) ;;
        "shut off")
            mt_job_active "$other" && mt_fail "$other keeps a job on its inactive definition of the guest"
            ;;
        *) mt_fail "$other has no QEMU for the guest but says '$st'" ;;
    esac
    for side in $defs; do
        rc_persistent "$side" || mt_fail "the persistent definition of the guest on $side is lost"
    done
    CUR_SIDE=$owner
}

# rc_normalise: leave the guest running exactly once with no job, for the
# next case. What could not be put right was reported by the case; here
# the guest is stopped and both daemons restarted, so that the next case
# boots a new one on clean daemons.
rc_normalise() {
    local owner side pid
    rc_check_daemons
    owner=$(rc_owner)
    if [ -n "$owner" ] && [ "$(mt_domstate "$owner")" = running ] && ! mt_job_active "$owner" &&
        ! mt_job_active "$(other_of "$owner")"; then
        return 0
    fi
    echo "# the case left the guest unusable: stopping it and restarting both daemons"
    for side in a b; do
        mt_virsh "$side" domjobabort mig >/dev/null 2>&1
        mt_virsh "$side" destroy mig >/dev/null 2>&1
        for pid in $(mt_qemu_pids "$side/"); do
            kill -KILL "$pid" 2>/dev/null
        done
        rc_daemon_restart "$side" || mt_fail "qvirtd $side does not restart"
    done
    CUR_SIDE=""
}

# rc_peer_answer SIDE PEER: wait until the restarted source SIDE logged what
# its p2p peer answered about the outcome-unknown migration (the answer
# comes from a thread of its own, after the restart returned); RC_PEER_SAYS:
# succeeded, failed or unknown.
RC_PEER_SAYS=""
rc_peer_logged() {
    mt_log_since "$1" | grep -q "asked the peer .* about the migration whose outcome was unknown"
}
rc_peer_answer() {
    local side=$1 peer=$2 line
    RC_PEER_SAYS=""
    mt_log_since "$side" | grep -qF "asking the peer $(mt_uri "$peer")" ||
        mt_fail "the restarted source $side does not ask its peer $(mt_uri "$peer") (no 'asking the peer' line)"
    if ! rc_wait 60 rc_peer_logged "$side"; then
        mt_fail "the restarted source $side logged no answer of its peer within 60 s"
        return
    fi
    line=$(mt_log_since "$side" | grep "about the migration whose outcome was unknown" | tail -n 1)
    echo "# the source's decision: ${line#*qemu.recovery : }"
    case $line in
        *"the migration succeeded"*"stop the source (migrated)"*) RC_PEER_SAYS=succeeded ;;
        *"the migration failed"*"cancel migration and resume"*) RC_PEER_SAYS=failed ;;
        *) RC_PEER_SAYS=unknown
           mt_fail "the peer's answer left the outcome unknown: $line" ;;
    esac
}

# rc_peer_agrees SRC DST: the guest ended where the peer's answer put it.
rc_peer_agrees() {
    local src=$1 dst=$2
    case $RC_PEER_SAYS in
        succeeded) [ "$CUR_SIDE" = "$dst" ] ||
            mt_fail "the peer said the migration succeeded but the guest is not on the destination $dst" ;;
        failed) [ "$CUR_SIDE" = "$src" ] ||
            mt_fail "the peer said the migration failed but the guest is not on the source $src" ;;
    esac
    RC_PEER_SAYS=""
}

# rc_crash_case MODE POINT WHERE(src|dst) VARIANT
rc_crash_case() {
    local mode=$1 point=$2 where=$3 variant=$4 name src dst crash pid unknown_ok=0 defs="" rc side
    name="$mode/$where:$point"
    rc_selected "$mode" "$point" "$name" || return 0
    mt_begin "crash $name: the $([ "$where" = src ] && echo source || echo destination) daemon dies at '$point' ($mode migration${variant:+, $variant guest})"
    if ! rc_guest any "$variant"; then
        mt_end
        return
    fi
    src=$CUR_SIDE
    dst=$(other_of "$src")
    crash=$src
    [ "$where" = dst ] && crash=$dst
    # Outcome unknown is allowed only where no peer is recorded (client
    # mode); in p2p mode the restarted source asks its peer and resolves it.
    [ "$where" = src ] && [ "$point" = migration-out-perform3_done ] && [ "$mode" = client ] &&
        unknown_ok=1
    for side in a b; do
        rc_persistent "$side" && defs="$defs $side"
    done
    if ! rc_daemon_restart "$crash" "$point"; then
        mt_end
        return
    fi
    pid=$(rc_daemon_pid "$crash")
    rc_migrate_cmd "$mode" "$src" "$dst" "$variant"
    echo "\$ ${RC_CMD[*]}   (QVIRT_CRASH_POINT=$point on $crash, pid $pid)" >>"$MT_T/transcript"
    "${RC_CMD[@]}" >"$MT_OUT" 2>&1
    rc=$?
    cat "$MT_OUT" >>"$MT_T/transcript"
    echo "(exit $rc)" >>"$MT_T/transcript"
    # A migration that succeeded never reached the point: a short wait.
    if mt_wait_cond "$([ "$rc" = 0 ] && echo 3 || echo 30)" eval "! mt_pid_alive $pid"; then
        mt_log_since "$crash" | grep -q "crash point '$point' reached" ||
            mt_fail "qvirtd $crash died but its log does not say crash point '$point' was reached"
    else
        mt_fail "qvirtd $crash (pid $pid) did not die at '$point' (migration exit $rc): the point was not reached"
    fi
    rc_daemon_restart "$crash" || { mt_end; return; }
    [ "$where/$mode:$point" = src/p2p:migration-out-perform3_done ] && rc_peer_answer "$crash" "$dst"
    rc_check_final "$src" "$dst" "$unknown_ok" "$defs"
    [ -n "$RC_PEER_SAYS" ] && rc_peer_agrees "$src" "$dst"
    # Once Finish succeeded a migration has succeeded (a failed Confirm is
    # only logged): what the command reports must match where the guest is.
    echo "# the migration command exited $rc"
    [ "$rc" = 0 ] && [ "$CUR_SIDE" != "$dst" ] &&
        mt_fail "the migration command reported success but the guest is not on the destination"
    rc_normalise
    mt_end || rc_diag
}

# ---- set-up ----

mt_begin "two session qvirtd start"
mt_daemon_start a || mt_fail "qvirtd a did not start: $(cat "$MT_OUT")"
mt_daemon_start b || mt_fail "qvirtd b did not start: $(cat "$MT_OUT")"
if ! mt_end; then
    echo "Bail out! the daemons do not start"
    exit 1
fi

mt_begin "the test guest boots on a"
rc_guest a small
if ! mt_end; then
    echo "Bail out! the test guest does not boot"
    exit 1
fi

# ---- the crash-point matrix ----

for mode in client p2p; do
    for point in $RC_SRC_POINTS; do
        rc_crash_case "$mode" "$point" src small
    done
    for point in $RC_DST_POINTS; do
        rc_crash_case "$mode" "$point" dst small
    done
done
for mode in client p2p; do
    for point in $RC_STORAGE_POINTS; do
        rc_crash_case "$mode" "$point" src disk
    done
done
if [ -z "${RC_ONLY:-}" ]; then
    mt_skip "crash src:migration-out-confirm3_cancelled" \
        "reached only after a failed Finish, which no crash-free run produces here"
    mt_skip "crash post-copy phases (postcopy_failed, *_resume)" \
        "need a broken post-copy; covered by the post-copy resume suite"
fi
# The save and dump points (save-started) are crashed in test-save-dump-recovery.sh.

# ---- kill -9 at a random moment ----

rc_want() {
    [ -z "${RC_ONLY:-}" ] && return 0
    local w
    for w in $RC_ONLY; do
        case $1 in *"$w"*) return 0 ;; esac
    done
    return 1
}

if rc_want kill9; then
    for i in $(seq 1 "$RC_KILL_RUNS"); do
        mt_begin "kill9 run $i/$RC_KILL_RUNS: kill -9 of a daemon at a random moment of a migration, then restart"
        if rc_guest any small; then
            src=$CUR_SIDE
            dst=$(other_of "$src")
            victim=$src
            [ $((RANDOM % 2)) = 1 ] && victim=$dst
            mode=client
            [ $((RANDOM % 2)) = 1 ] && mode=p2p
            delay_ms=$((RANDOM % 4000))
            defs=""
            for side in a b; do
                rc_persistent "$side" && defs="$defs $side"
            done
            echo "# $mode migration $src -> $dst, kill -9 of qvirtd $victim after $delay_ms ms"
            rc_migrate_cmd "$mode" "$src" "$dst" small
            "${RC_CMD[@]}" >"$MT_T/bg.out" 2>&1 &
            BG=$!
            mt_bg_add "$BG"
            # The random moment is what this case tests, not a wait for a state.
            sleep "$((delay_ms / 1000)).$(printf '%03d' $((delay_ms % 1000)))"
            pid=$(rc_daemon_pid "$victim")
            kill -KILL "$pid" 2>/dev/null
            mt_wait_cond 20 eval "! mt_pid_alive $pid" || mt_fail "qvirtd $victim survived kill -9"
            wait "$BG"
            echo "(migration exit $?)" >>"$MT_T/transcript"
            cat "$MT_T/bg.out" >>"$MT_T/transcript"
            rc_daemon_restart "$victim" &&
                rc_check_final "$src" "$dst" 1 "$defs"
            rc_normalise
        fi
        mt_end || rc_diag
    done
fi

# ---- a state folder that turns read-only mid-migration ----

# The status files of a side live in its runtime folder.
rc_state_dir() { echo "$MT_T/$1/run/qvirt/qemu"; }

if rc_want readonly; then
    mt_begin "readonly: the source's state folder turns read-only mid-migration: the migration fails, the guest keeps running on the source"
    # As root permissions are not enforced: a read-only bind mount in the
    # daemon's own mount namespace instead.
    ro_ok=0
    if [ "$(id -u)" != 0 ]; then
        ro_ok="chmod"
    elif unshare -m --propagation private true 2>/dev/null; then
        ro_ok=ns
    fi
    if [ "$ro_ok" = 0 ]; then
        mt_skip "readonly: read-only state folder" \
            "running as root without mount namespaces (unshare -m fails): cannot make the folder read-only"
    elif rc_guest any small; then
        src=$CUR_SIDE
        dst=$(other_of "$src")
        sdir=$(rc_state_dir "$src")
        if [ "$ro_ok" = ns ]; then
            # The daemon (and its QEMUs) in a private mount namespace where
            # the state folder is a bind mount of itself, remounted
            # read-only at the right moment: root ignores permissions.
            RC_UNSHARE[$src]=1
            rc_daemon_restart "$src"
            spid=$(rc_daemon_pid "$src")
            nsenter -t "$spid" -m mount --bind "$sdir" "$sdir" ||
                mt_fail "cannot bind-mount $sdir in the daemon's mount namespace"
        fi
        before=$(mt_hb_last "$(mt_serial "$src")")
        # 1 MiB/s: the guest dirties 16 MiB a second, so the migration
        # runs until the limit is lifted.
        rc_migrate_cmd client "$src" "$dst" small
        RC_CMD=("${RC_CMD[@]:0:$((${#RC_CMD[@]} - 2))}" --bandwidth 1 mig "$(mt_uri "$dst")")
        "${RC_CMD[@]}" >"$MT_T/bg.out" 2>&1 &
        BG=$!
        mt_bg_add "$BG"
        if mt_wait_cond 30 eval "mt_log_since $src | grep -q 'migrating to'"; then
            if [ "$ro_ok" = ns ]; then
                nsenter -t "$spid" -m mount -o remount,bind,ro "$sdir" ||
                    mt_fail "cannot remount $sdir read-only"
            else
                chmod a-w "$sdir"
            fi
            mt_run mt_virsh "$src" migrate-setspeed mig 100000
            mt_run mt_virsh "$src" migrate-setmaxdowntime mig 2000
        else
            mt_fail "the migration did not start within 30 s"
        fi
        wait "$BG"
        mrc=$?
        cat "$MT_T/bg.out" >>"$MT_T/transcript"
        echo "(migration exit $mrc)" >>"$MT_T/transcript"
        [ "$mrc" = 0 ] && mt_fail "the migration succeeded although the source could not persist its phases"
        # The guest must still run on the source, once.
        rc_wait 30 rc_settled
        owner=$(rc_owner)
        [ "$owner" = "$src" ] ||
            mt_fail "the guest's QEMU is not (only) on the source: a: $(rc_qemu_count a), b: $(rc_qemu_count b)"
        st=$(mt_domstate "$src")
        [ "$st" = running ] || mt_fail "the source says '$st' after the failed migration"
        last=$(mt_hb_last "$(mt_serial "$src")")
        mt_wait_hb "$(mt_serial "$src")" $((${last:-0} + 2)) 20 ||
            mt_fail "the guest's heartbeat on the source does not continue (last ${last:-none}, before ${before:-none})"
        mt_log_since "$src" | grep -E ': (warning|error) : ' |
            grep -qE 'Read-only file system|Permission denied' ||
            mt_fail "the source's log does not report the failed write of its state"
        # Writable again, and a daemon in the ordinary namespace.
        if [ "$ro_ok" = ns ]; then
            nsenter -t "$spid" -m umount "$sdir" 2>/dev/null
            RC_UNSHARE[$src]=0
        else
            chmod u+w "$sdir"
        fi
        rc_daemon_restart "$src"
        st=$(mt_domstate "$src")
        [ "$st" = running ] || mt_fail "after a restart with a writable folder the source says '$st'"
        CUR_SIDE=$owner
        mt_end || rc_diag
    else
        mt_end
    fi
fi

# ---- a corrupt status file ----

if rc_want corrupt; then
    mt_begin "corrupt: a corrupt status file is moved aside and reported; its QEMU is not killed"
    if rc_guest any small; then
        side=$CUR_SIDE
        qpid=$(mt_qemu_pids "$side/" | head -1)
        status=$(rc_state_dir "$side")/mig.xml
        mt_daemon_stop "$side"
        if [ -f "$status" ]; then
            # Cut in the middle of an element: not well-formed XML.
            head -c 200 "$status" >"$status.tmp" && mv "$status.tmp" "$status"
            rc_daemon_restart "$side"
            ls "$status".corrupt-* >/dev/null 2>&1 ||
                mt_fail "the corrupt status file was not moved aside (no $status.corrupt-*)"
            [ -f "$status" ] && mt_fail "the corrupt status file is still at $status"
            mt_log_since "$side" | grep -E ': (warning|error) : ' | grep -q 'mig.xml' ||
                mt_fail "the daemon's log reports nothing about the corrupt status file"
            mt_pid_alive "$qpid" || mt_fail "the guest's QEMU (pid $qpid) was killed"
            last=$(mt_hb_last "$(mt_serial "$side")")
            mt_wait_hb "$(mt_serial "$side")" $((${last:-0} + 2)) 20 ||
                mt_fail "the guest stopped running after the restart (heartbeat ${last:-none})"
            rc_daemon_alive "$side" || mt_fail "qvirtd $side died on the corrupt status file"
        else
            mt_fail "no status file at $status"
            rc_daemon_restart "$side"
        fi
        # The daemon no longer knows that QEMU: stopped here, by pid.
        mt_pid_alive "$qpid" && kill -KILL "$qpid"
        CUR_SIDE=""
    fi
    mt_end || rc_diag
fi
