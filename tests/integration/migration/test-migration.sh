#!/bin/bash
# tests/integration/migration/test-migration.sh: real live migrations of the
# test guest between two session qvirtd (and, as root, between two network
# namespaces), driven by the qvirt shell and by the stock virsh; TAP.
#
# Every test asserts real outcomes: the migration command's status, the
# guest running on the destination (dominfo), gone from the source as the
# flags say, no QEMU left where there should be none, and the guest's
# heartbeat counter on the destination's serial console continuing from the
# value the source printed last (not from zero) and increasing. A guest
# kernel panic (a known QEMU 7.2 TCG issue) is reported as "guest panic".
#
# The guest is booted as few times as possible: each test takes it where
# the previous one left it when that suits (ensure_guest), and boots a new
# one otherwise. MT_ONLY="a1 c2 ..." runs only the named tests (ids: a1 a2
# b c1 f f2 d g2 c2 i e e2 e3 g h k j (j1 j2 j3), in the order they run);
# MT_KEEP_LOGS=DIR keeps the daemon and serial logs of a failed run.
set -u
. "$(dirname "$0")/lib.sh"

mt_setup
MT_HAVE_TLS=0
mt_make_certs && MT_HAVE_TLS=1

want() {
    [ -z "${MT_ONLY:-}" ] && return 0
    case " $MT_ONLY " in *" $1 "*) return 0 ;; esac
    return 1
}

# ---- the two daemons ----
mt_begin "two session qvirtd start, each with its own folders, host UUID and port range"
mt_daemon_start a || mt_fail "qvirtd a did not start: $(cat "$MT_OUT")"
mt_daemon_start b || mt_fail "qvirtd b did not start: $(cat "$MT_OUT")"
if [ -z "$MT_ERRS" ]; then
    ua=$(sed -n 's/^host_uuid = //p' "$MT_T/a/config/qvirt/qvirtd.conf")
    ub=$(sed -n 's/^host_uuid = //p' "$MT_T/b/config/qvirt/qvirtd.conf")
    [ "$ua" != "$ub" ] || mt_fail "the two daemons got the same host UUID"
    mt_run mt_virsh a uri || mt_fail "virsh cannot reach daemon a"
    mt_run mt_virsh b uri || mt_fail "virsh cannot reach daemon b"
fi
if ! mt_end; then
    echo "Bail out! the daemons do not start"
    exit 1
fi

other_of() { case $1 in a) echo b ;; b) echo a ;; c) echo d ;; d) echo c ;; esac; }

CUR_SIDE=""
CUR_VARIANT=""
# ensure_guest SIDE VARIANT [keep]: domain "mig" of VARIANT (small: dirties
# 16 MiB; big: 64 MiB; disk: 16 MiB and a qcow2 disk) runs on SIDE and the
# other side has no domain "mig" (with "keep", an inactive definition there
# stays). Reuses the running guest when it fits, else boots a new one.
ensure_guest() {
    local side=$1 variant=$2 keep=${3:-} other st dirty=16 disk=""
    other=$(other_of "$side")
    if [ "$CUR_SIDE" = "$side" ] && [ "$CUR_VARIANT" = "$variant" ] &&
        [ "$(mt_domstate "$side")" = running ] && ! mt_panic_seen "$(mt_serial "$side")"; then
        st=$(mt_domstate "$other")
        [ "$st" = absent ] && return 0
        if [ "$st" = "shut off" ]; then
            [ -n "$keep" ] && return 0
            mt_virsh "$other" undefine mig >/dev/null 2>&1 && return 0
        fi
    fi
    CUR_SIDE=""
    mt_domain_purge "$side"
    mt_domain_purge "$other"
    [ "$variant" = big ] && dirty=64
    if [ "$variant" = disk ]; then
        disk=$MT_T/$side/disk.qcow2
        rm -f "$disk" "$MT_T/$other/disk.qcow2"
        # A known pattern the destination must end up with.
        if ! mt_run qemu-img create -q -f qcow2 "$disk" 64M ||
            ! mt_run qemu-io -f qcow2 -c 'write -P 0x5a 0 4M' -c 'write -P 0xa5 40M 1M' "$disk"; then
            mt_fail "cannot prepare the qcow2 disk $disk"
            return 1
        fi
    fi
    mt_guest_xml mig "$dirty" "$disk" >"$MT_T/mig-$variant.xml"
    mt_guest_boot "$side" "$MT_T/mig-$variant.xml" || return 1
    CUR_SIDE=$side
    CUR_VARIANT=$variant
}

# check_migrated SRC DST SRC_WANT: the outcome of a successful migration.
# SRC_WANT: "shut off" (the source keeps its definition) or "absent".
check_migrated() {
    local src=$1 dst=$2 want=$3 slog dlog st last first
    slog=$(mt_serial "$src")
    dlog=$(mt_serial "$dst")
    if mt_run mt_virsh "$dst" dominfo mig; then
        grep -q '^State: *running' "$MT_OUT" ||
            mt_fail "dominfo on the destination ($dst) does not say running: $(grep '^State' "$MT_OUT")"
        CUR_SIDE=$dst
    else
        mt_fail "dominfo on the destination ($dst) failed: $(tr '\n' ' ' <"$MT_OUT")"
    fi
    st=$(mt_domstate "$src")
    [ "$st" = "$want" ] || mt_fail "on the source ($src) the domain is '$st', expected '$want'"
    mt_wait_cond 15 mt_no_qemu "$src" ||
        mt_fail "QEMU still runs on the source ($src): pid $(mt_qemu_pids "$src/" | tr '\n' ' ')"
    mt_has_qemu "$dst" || mt_fail "no QEMU runs on the destination ($dst)"
    mt_check_panic "$slog" "source ($src)"
    last=$(mt_hb_last "$slog")
    [ -n "$last" ] || mt_fail "no heartbeat on the source's serial log $slog"
    if ! mt_wait_hb "$dlog" 0 20; then
        mt_check_panic "$dlog" "destination ($dst)" ||
            return 1
        mt_fail "no heartbeat on the destination's serial log within 20 s: the guest does not run there"
        return 1
    fi
    first=$(mt_hb_first "$dlog")
    if [ -n "$last" ]; then
        [ "$first" -gt "$last" ] && [ "$first" -le $((last + 3)) ] ||
            mt_fail "the destination's first heartbeat is $first, the source's last was $last: the guest did not continue where it was"
    fi
    echo "# heartbeat: last on the source $last, first on the destination $first"
    mt_wait_hb "$dlog" $((first + 3)) 20 ||
        mt_fail "the destination's heartbeat stopped at $(mt_hb_last "$dlog") (first $first): the guest does not keep running"
    mt_check_panic "$dlog" "destination ($dst)"
    # A reboot on the destination (panic=-1) would start the counter again.
    [ "$(mt_booted_count "$dlog")" = 0 ] ||
        mt_fail "the guest booted again on the destination"
    return 0
}

# What the source must show after a migration without --undefinesource:
# "shut off" when the domain is persistent there, else "absent".
src_want() {
    if mt_virsh "$1" dominfo mig 2>/dev/null | grep -q '^Persistent: *yes'; then
        echo "shut off"
    else
        echo absent
    fi
}

# The destination's completed job reports QEMU's downtime, above 0 (it read
# 0 in about half the migrations when the source took QEMU's figures from
# the moment QEMU says "completed" but has not computed them yet).
check_downtime() {
    local dst=$1 ms
    if mt_run mt_virsh "$dst" domjobinfo --completed mig; then
        ms=$(sed -n 's/^Total downtime: *\([0-9]*\) *ms.*/\1/p' "$MT_OUT")
        [ -n "$ms" ] && [ "$ms" -gt 0 ] ||
            mt_fail "domjobinfo --completed on the destination ($dst) reports no downtime above 0: $(tr '\n' ' ' <"$MT_OUT")"
    else
        mt_fail "domjobinfo --completed on the destination ($dst) failed: $(tr '\n' ' ' <"$MT_OUT")"
    fi
}

# The source daemon's log since the test began mentions PATTERN.
src_log_has() { mt_log_since "$1" | grep -q -- "$2"; }

# bg CMD...: run CMD in the background, output in $MT_T/bg.out; BG=its pid.
bg() {
    "$@" >"$MT_T/bg.out" 2>&1 &
    BG=$!
    mt_bg_add "$BG"
    echo "\$ $* &   (pid $BG)" >>"$MT_T/transcript"
}
# bg_wait: wait for the last bg; its status; its output into the transcript.
bg_wait() {
    local rc
    wait "$BG"
    rc=$?
    cat "$MT_T/bg.out" >>"$MT_T/transcript"
    echo "(background exit $rc)" >>"$MT_T/transcript"
    cp "$MT_T/bg.out" "$MT_OUT"
    return $rc
}

# Make a bandwidth-limited migration of SRC finish: raise the downtime
# limit and the bandwidth (migrate-setmaxdowntime/-setspeed); when those
# are refused, pause the guest so that it converges (recorded as failure).
lift_limits() {
    local src=$1
    mt_run mt_virsh "$src" migrate-setmaxdowntime mig 2000 ||
        mt_fail "migrate-setmaxdowntime during the migration failed: $(tr '\n' ' ' <"$MT_OUT")"
    if ! mt_run mt_virsh "$src" migrate-setspeed mig 100000; then
        mt_fail "migrate-setspeed during the migration failed: $(tr '\n' ' ' <"$MT_OUT")"
        mt_run mt_virsh "$src" suspend mig
    fi
}

# ---- a: the qvirt shell, client-driven ----
if want a1; then
    mt_begin "a1: qvirt migrate --live (client-driven) a -> b"
    if ensure_guest a small; then
        want_src=$(src_want a)
        if mt_run mt_qvirt a migrate --live mig "$(mt_uri b)"; then
            check_migrated a b "$want_src"
            check_downtime b
        else
            mt_fail "qvirt migrate failed: $(tr '\n' ' ' <"$MT_OUT")"
        fi
    fi
    mt_end
fi

if want a2; then
    mt_begin "a2: qvirt migrate --live b -> a, onto a's inactive definition"
    if ensure_guest b small keep; then
        want_src=$(src_want b)
        had_def=$(mt_domstate a)
        if mt_run mt_qvirt b migrate --live mig "$(mt_uri a)"; then
            check_migrated b a "$want_src"
            check_downtime a
            mt_run mt_virsh a dominfo mig
            [ "$had_def" != "shut off" ] || grep -q '^Persistent: *yes' "$MT_OUT" ||
                mt_fail "the domain on a is no longer persistent after coming back"
        else
            mt_fail "qvirt migrate failed: $(tr '\n' ' ' <"$MT_OUT")"
        fi
    fi
    mt_end
fi

# ---- b: the qvirt shell, peer-to-peer ----
if want b; then
    mt_begin "b: qvirt migrate --live --p2p --persistent --undefinesource a -> b"
    if ensure_guest a small; then
        if mt_run mt_qvirt a migrate --live --p2p --persistent --undefinesource mig "$(mt_uri b)"; then
            check_migrated a b absent
            mt_run mt_virsh b dominfo mig
            grep -q '^Persistent: *yes' "$MT_OUT" ||
                mt_fail "--persistent: the domain on b is not persistent"
        else
            mt_fail "qvirt migrate --p2p failed: $(tr '\n' ' ' <"$MT_OUT")"
        fi
    fi
    mt_end
fi

# ---- c: the stock virsh ----
if want c1; then
    mt_begin "c1: virsh migrate --live (client-driven) b -> a"
    if ensure_guest b small; then
        want_src=$(src_want b)
        if mt_run mt_virsh b migrate --live mig "$(mt_uri a)"; then
            check_migrated b a "$want_src"
            check_downtime a
        else
            mt_fail "virsh migrate failed: $(tr '\n' ' ' <"$MT_OUT")"
        fi
    fi
    mt_end
fi

# ---- f: TLS ----
if want f; then
    if [ "$MT_HAVE_TLS" = 1 ]; then
        mt_begin "f: qvirt migrate --live --tls a -> b (certtool certificates)"
        if ensure_guest a small; then
            want_src=$(src_want a)
            if mt_run mt_qvirt a migrate --live --tls mig "$(mt_uri b)"; then
                check_migrated a b "$want_src"
                # The monitor log names commands only: the x509 object is
                # the one object-add of a migration.
                src_log_has a "object-add" && src_log_has b "object-add" ||
                    mt_fail "the daemons' logs show no object-add on both sides: no TLS credentials were given to QEMU"
            else
                mt_fail "qvirt migrate --tls failed: $(tr '\n' ' ' <"$MT_OUT")"
            fi
        fi
        mt_end
    else
        mt_skip "f: qvirt migrate --tls" "certtool failed or is missing"
    fi
fi

if want f2; then
    if [ "$MT_HAVE_TLS" = 1 ]; then
        mt_begin "f2: qvirt migrate --tls b -> a fails clearly when a has no server certificate"
        if ensure_guest b small; then
            mv "$MT_T/a/pki/server-cert.pem" "$MT_T/a/pki/server-cert.pem.away"
            if mt_run mt_qvirt b migrate --live --tls mig "$(mt_uri a)"; then
                mt_fail "the migration succeeded without the destination's server certificate"
            else
                grep -q 'server-cert.pem' "$MT_OUT" ||
                    mt_fail "the error does not name the missing certificate: $(tr '\n' ' ' <"$MT_OUT")"
            fi
            mv "$MT_T/a/pki/server-cert.pem.away" "$MT_T/a/pki/server-cert.pem"
            st=$(mt_domstate b)
            [ "$st" = running ] || mt_fail "the source (b) is '$st' after the refused migration"
            before=$(mt_hb_last "$(mt_serial b)")
            mt_wait_hb "$(mt_serial b)" $((${before:-0} + 2)) 15 ||
                mt_fail "the guest's heartbeat on the source stopped after the refused migration"
            mt_wait_cond 15 mt_no_qemu a ||
                mt_fail "a QEMU remains on the destination (a): pid $(mt_qemu_pids a/ | tr '\n' ' ')"
            st=$(mt_domstate a)
            [ "$st" = absent ] || mt_fail "the destination (a) has the domain: '$st'"
        fi
        mt_end
    else
        mt_skip "f2: TLS without a certificate" "certtool failed or is missing"
    fi
fi

# ---- d: storage migration ----
if want d; then
    mt_begin "d: qvirt migrate --live --copy-storage-all (qcow2) a -> b, pause-before-switchover"
    if ensure_guest a disk; then
        # The destination's disk gets its own path (one machine, one file
        # system): the destination XML names it.
        mt_virsh a dumpxml --migratable mig 2>/dev/null |
            sed "s|$MT_T/a/disk.qcow2|$MT_T/b/disk.qcow2|" >"$MT_T/mig-disk-dst.xml"
        want_src=$(src_want a)
        grep -q "$MT_T/b/disk.qcow2" "$MT_T/mig-disk-dst.xml" ||
            mt_fail "dumpxml --migratable does not name the disk"
        if mt_run mt_qvirt a migrate --live --copy-storage-all --xml "$MT_T/mig-disk-dst.xml" \
            mig "$(mt_uri b)"; then
            check_migrated a b "$want_src"
            if [ -f "$MT_T/b/disk.qcow2" ]; then
                mt_run qemu-io -U -r -f qcow2 -c 'read -P 0x5a 0 4M' -c 'read -P 0xa5 40M 1M' \
                    "$MT_T/b/disk.qcow2" && ! grep -q 'verification failed' "$MT_OUT" ||
                    mt_fail "the destination disk does not hold the pattern written before the migration"
                mt_run qemu-img compare -U -f qcow2 -F qcow2 "$MT_T/a/disk.qcow2" \
                    "$MT_T/b/disk.qcow2" ||
                    mt_fail "qemu-img compare: the source and destination disks differ: $(tr '\n' ' ' <"$MT_OUT")"
            else
                mt_fail "the destination disk $MT_T/b/disk.qcow2 was not created"
            fi
            src_log_has a 'pre-switchover\|paused before the switch-over' ||
                mt_fail "the source daemon's log never shows the pre-switchover state: pause-before-switchover was not used"
            src_log_has a 'blockdev-mirror\|mirroring disk' ||
                mt_fail "the source daemon's log shows no blockdev-mirror"
        else
            mt_fail "qvirt migrate --copy-storage-all failed: $(tr '\n' ' ' <"$MT_OUT")"
        fi
    fi
    mt_end
fi

# ---- g2: cancel during storage migration (the mirror phase) ----
if want g2; then
    mt_begin "g2: qvirt domjobabort while the disk mirrors run (--copy-storage-all, 1 MiB/s) b -> a"
    if ensure_guest b disk; then
        mt_virsh b dumpxml --migratable mig 2>/dev/null |
            sed "s|<source file='[^']*disk.qcow2'|<source file='$MT_T/a/disk2.qcow2'|" \
            >"$MT_T/mig-disk-g2.xml"
        grep -q "$MT_T/a/disk2.qcow2" "$MT_T/mig-disk-g2.xml" ||
            mt_fail "dumpxml --migratable does not name the disk"
        bg timeout 150 "$MT_QVIRT" -c "$(mt_uri b)" migrate --live --copy-storage-all \
            --bandwidth 1 --xml "$MT_T/mig-disk-g2.xml" mig "$(mt_uri a)"
        if mt_wait_cond 30 eval "mt_log_since b | grep -q 'mirroring disk'"; then
            mt_run mt_qvirt b domjobabort mig ||
                mt_fail "qvirt domjobabort during the mirrors failed: $(tr '\n' ' ' <"$MT_OUT")"
        else
            mt_fail "the source's log never showed a disk mirror starting (30 s)"
            mt_qvirt b domjobabort mig >/dev/null 2>&1
        fi
        if bg_wait; then
            mt_fail "qvirt migrate succeeded although it was aborted"
        else
            echo "# the aborted migration: $(tr -s '\n' ' ' <"$MT_OUT")"
        fi
        st=$(mt_domstate b)
        [ "$st" = running ] || mt_fail "the source (b) is '$st' after the abort, expected running"
        before=$(mt_hb_last "$(mt_serial b)")
        mt_wait_hb "$(mt_serial b)" $((${before:-0} + 2)) 15 ||
            mt_fail "the guest's heartbeat on the source stopped after the abort"
        mt_check_panic "$(mt_serial b)" "source (b)"
        mt_wait_cond 15 mt_no_qemu a ||
            mt_fail "an incoming QEMU remains on the destination (a): pid $(mt_qemu_pids a/ | tr '\n' ' ')"
        st=$(mt_domstate a)
        [ "$st" = absent ] || mt_fail "the destination (a) still has the domain: '$st'"
        # Not part of the contract (libvirt keeps them too): only noted.
        [ ! -e "$MT_T/a/disk2.qcow2" ] ||
            echo "# note: the image the destination created for the migration stays after the abort"
        mt_run mt_qvirt b qemu-monitor-command mig '{"execute":"query-block-jobs"}'
        grep -q '"return": *\[\]' "$MT_OUT" ||
            mt_fail "block jobs remain on the source after the abort: $(tr '\n' ' ' <"$MT_OUT")"
        mt_run mt_virsh b domjobinfo mig
        grep -q '^Job type: *None' "$MT_OUT" ||
            mt_fail "the source still has a job after the abort: $(tr '\n' ' ' <"$MT_OUT")"
    fi
    mt_end
fi

# ---- c2: the stock virsh, peer-to-peer, domjobinfo during it ----
if want c2; then
    mt_begin "c2: virsh migrate --live --p2p a -> b, 64 MiB dirtied, virsh domjobinfo during it"
    if ensure_guest a big; then
        want_src=$(src_want a)
        bg timeout 150 virsh -c "$(mt_uri a)" migrate --live --p2p --bandwidth 40 mig "$(mt_uri b)"
        if mt_wait_cond 30 mt_job_active a; then
            # Progress shows once QEMU's first statistics are in.
            mt_wait_cond 20 eval "mt_virsh a domjobinfo mig 2>&1 |
                grep -qE '^(Data|Memory) processed: *[1-9]'"
            if mt_run mt_virsh a domjobinfo mig; then
                grep -q '^Job type: *Unbounded' "$MT_OUT" ||
                    mt_fail "domjobinfo during the migration: no 'Job type: Unbounded'"
                grep -qE '^(Data|Memory) processed: *[1-9]' "$MT_OUT" ||
                    mt_fail "domjobinfo during the migration shows no progress after 20 s: $(tr '\n' ' ' <"$MT_OUT")"
                echo "# domjobinfo during the migration: $(grep -E '^(Time elapsed|Data processed)' "$MT_OUT" | tr -s ' \n' ' ')"
                # The figures are refreshed while it runs (query-migrate
                # is polled at least every 500 ms).
                p1=$(sed -n 's/^Data processed: *//p' "$MT_OUT")
                mt_wait_cond 5 eval "[ \"\$(mt_virsh a domjobinfo mig 2>/dev/null |
                    sed -n 's/^Data processed: *//p')\" != '$p1' ]" ||
                    mt_fail "domjobinfo's 'Data processed' stayed at $p1 for 5 s during the migration"
            else
                mt_fail "virsh domjobinfo during the migration failed: $(tr '\n' ' ' <"$MT_OUT")"
            fi
            mt_run mt_virsh a migrate-getspeed mig && grep -qx '40' "$MT_OUT" ||
                mt_fail "migrate-getspeed during the --bandwidth 40 migration: $(tr '\n' ' ' <"$MT_OUT")"
            mt_run mt_virsh b domjobinfo mig ||
                mt_fail "virsh domjobinfo on the destination during the migration failed: $(tr '\n' ' ' <"$MT_OUT")"
        else
            mt_fail "virsh domjobinfo on the source never showed the migration job (30 s)"
        fi
        lift_limits a
        if bg_wait; then
            check_migrated a b "$want_src"
            mt_run mt_virsh a domjobinfo --completed mig ||
                mt_fail "domjobinfo --completed after the migration failed"
        else
            mt_fail "virsh migrate --p2p failed: $(tr '\n' ' ' <"$MT_OUT")"
        fi
    fi
    mt_end
fi

# ---- i: reads under load ----
# reads_loop SRC DST STOPFILE OUT: virsh domjobinfo and dominfo on SRC and
# dominfo on DST, over and over, one line per call: WHAT STATUS MS.
reads_loop() {
    local src=$1 dst=$2 stop=$3 out=$4 t0 t1 rc
    while [ ! -e "$stop" ]; do
        for what in "$src domjobinfo" "$src dominfo" "$dst dominfo"; do
            t0=$(date +%s%N)
            # shellcheck disable=SC2086
            mt_virsh $what mig >/dev/null 2>>"$out.err"
            rc=$?
            t1=$(date +%s%N)
            echo "${what// /-} $rc $(((t1 - t0) / 1000000))" >>"$out"
        done
    done
}

if want i; then
    mt_begin "i: reads under load: virsh domjobinfo/dominfo during qvirt migrate b -> a"
    if ensure_guest b big; then
        want_src=$(src_want b)
        bg timeout 150 "$MT_QVIRT" -c "$(mt_uri b)" migrate --live --bandwidth 40 mig "$(mt_uri a)"
        mig_pid=$BG
        if mt_wait_cond 30 mt_job_active b &&
            mt_wait_cond 30 eval '[ "$(mt_domstate a)" != absent ]'; then
            rm -f "$MT_T/reads" "$MT_T/reads.err" "$MT_T/reads.stop"
            reads_loop b a "$MT_T/reads.stop" "$MT_T/reads" &
            loop_pid=$!
            mt_bg_add "$loop_pid"
            # Five seconds of reads while the bandwidth-limited migration
            # runs (it cannot end before lift_limits below).
            sleep 5
            touch "$MT_T/reads.stop"
            wait "$loop_pid"
            mt_pid_alive "$mig_pid" ||
                mt_fail "the migration ended before the reads were done (its bandwidth limit was not applied?)"
            total=$(wc -l <"$MT_T/reads")
            bad=$(awk '$2 != 0' "$MT_T/reads" | wc -l)
            slow=$(awk '$3 > 3000' "$MT_T/reads" | wc -l)
            max=$(awk 'BEGIN{m=0} $3 > m {m=$3} END{print m}' "$MT_T/reads")
            echo "# reads during the migration: $total calls, $bad failed, max $max ms"
            [ "$total" -ge 9 ] || mt_fail "only $total reads in 5 s"
            [ "$bad" = 0 ] ||
                mt_fail "$bad of $total reads failed during the migration: $(sort -u "$MT_T/reads.err" | head -5 | tr '\n' ' ')"
            [ "$slow" = 0 ] ||
                mt_fail "$slow of $total reads took over 3 s (max $max ms): reads waited for the migration job"
        else
            mt_fail "the migration job never showed up on b, or the incoming domain on a (30 s)"
        fi
        lift_limits b
        if bg_wait; then
            check_migrated b a "$want_src"
        else
            mt_fail "qvirt migrate failed: $(tr '\n' ' ' <"$MT_OUT")"
        fi
    fi
    mt_end
fi

# ---- e: post-copy ----
if want e; then
    mt_begin "e: qvirt migrate --live --postcopy --postcopy-after-precopy a -> b, 64 MiB dirtied"
    if ensure_guest a big; then
        want_src=$(src_want a)
        # 40 MiB/s cannot converge with 64 MiB dirtied: only post-copy ends it.
        if mt_run mt_qvirt a migrate --live --postcopy --postcopy-after-precopy --bandwidth 40 \
            mig "$(mt_uri b)"; then
            check_migrated a b "$want_src"
            src_log_has a 'postcopy-active\|switched to post-copy' ||
                mt_fail "the source daemon's log never shows postcopy-active: the migration did not switch to post-copy"
        else
            mt_fail "qvirt migrate --postcopy failed: $(tr '\n' ' ' <"$MT_OUT")"
        fi
    fi
    mt_end
fi

# ---- e2/e3: post-copy broken off, then resumed (--postcopy-resume) ----
# pc_remaining SIDE: the data remaining of SIDE's migration job, in MiB.
pc_remaining() {
    mt_virsh "$1" domjobinfo mig 2>/dev/null | awk '/^Data remaining:/ {
        v = $3; if ($4 == "KiB") v /= 1024; else if ($4 == "GiB") v *= 1024;
        else if ($4 == "B" || $4 == "bytes") v /= 1048576; print v }'
}

# pc_break SRC DST [OPTION...]: start a post-copy migration SRC -> DST whose
# post-copy phase lasts (2 MiB/s), break it once the source is in
# post-copy, with QMP migrate-pause on the source (PC_BREAK=qmp) or with
# domjobabort --postcopy (PC_BREAK=abort, which is refused before the
# switch), and check that both sides keep the domain and its job in the
# post-copy-failed state. 0 when it did.
PC_BREAK=qmp
pc_break() {
    local src=$1 dst=$2 st
    shift 2
    bg timeout 150 "$MT_QVIRT" -c "$(mt_uri "$src")" migrate --live "$@" --postcopy \
        --postcopy-after-precopy --bandwidth 40 --postcopy-bandwidth 2 mig "$(mt_uri "$dst")"
    if [ "$PC_BREAK" = abort ] && mt_wait_cond 30 mt_job_active "$src" &&
        [ "$(mt_domstate "$src")" = running ]; then
        # Still in pre-copy: there is nothing to break off yet.
        if mt_run mt_qvirt "$src" domjobabort --postcopy mig; then
            mt_fail "domjobabort --postcopy before the switch to post-copy succeeded"
        else
            grep -q 'post-copy mode' "$MT_OUT" ||
                mt_fail "the refused domjobabort --postcopy does not say why: $(tr '\n' ' ' <"$MT_OUT")"
        fi
    fi
    if ! mt_wait_cond 60 eval "mt_virsh $src domstate --reason mig 2>/dev/null |
        grep -q 'paused (post-copy)'"; then
        mt_fail "the source ($src) never reached 'paused (post-copy)' (60 s): $(mt_domstate "$src")"
        lift_limits "$src"
        bg_wait
        return 1
    fi
    # QEMU can recover only once the destination runs the post-copy (it
    # fails the incoming migration while the device state still loads):
    # wait until 2 MiB more went over after the switch, a second at 2 MiB/s.
    r0=$(pc_remaining "$src")
    echo "# in post-copy, $r0 MiB remaining"
    mt_wait_cond 30 eval "pc_remaining $src | awk -v r0='${r0:-0}' '{exit !(\$1 <= r0 - 2)}'" ||
        mt_fail "the post-copy phase made no progress in 30 s: $(pc_remaining "$src") MiB remaining"
    if [ "$PC_BREAK" = abort ]; then
        mt_run mt_qvirt "$src" domjobabort --postcopy mig ||
            mt_fail "domjobabort --postcopy on the source failed: $(tr '\n' ' ' <"$MT_OUT")"
    else
        mt_run mt_qvirt "$src" qemu-monitor-command mig '{"execute":"migrate-pause"}' ||
            mt_fail "QMP migrate-pause on the source failed: $(tr '\n' ' ' <"$MT_OUT")"
    fi
    if bg_wait; then
        mt_fail "the migration succeeded although its post-copy was paused"
        return 1
    fi
    echo "# the broken migration: $(tr -s '\n' ' ' <"$MT_OUT")"
    mt_run mt_virsh "$src" domstate --reason mig
    grep -q 'paused (post-copy failed)' "$MT_OUT" ||
        mt_fail "the source ($src) is '$(head -1 "$MT_OUT")', expected 'paused (post-copy failed)'"
    # The guest never ran on the destination (Finish was not reached): it
    # waits there, paused, for the recovery.
    mt_run mt_virsh "$dst" domstate --reason mig
    grep -q 'paused (post-copy failed)' "$MT_OUT" ||
        mt_fail "the destination ($dst) is '$(head -1 "$MT_OUT")', expected 'paused (post-copy failed)'"
    for st in "$src" "$dst"; do
        mt_run mt_virsh "$st" domjobinfo mig
        grep -q '^Job type: *None' "$MT_OUT" && mt_fail "$st kept no migration job after the break"
    done
    mt_has_qemu "$dst" || mt_fail "the destination's QEMU ($dst) is gone after the break"
    [ -z "$MT_ERRS" ]
}

# pc_resume SRC DST WANT [OPTION...]: resume the broken migration and
# check it ends as a successful one: the guest runs on DST and continues,
# SRC is WANT ("shut off" or "absent").
pc_resume() {
    local src=$1 dst=$2 want=$3
    shift 3
    # A recovery whose Prepare fails (no such domain on DST) changes
    # nothing: both sides stay post-copy-failed with their jobs, for the
    # next attempt.
    if mt_run mt_qvirt "$src" migrate --live "$@" --postcopy --postcopy-resume --dname nosuch \
        mig "$(mt_uri "$dst")"; then
        mt_fail "a recovery towards a domain the destination does not have succeeded"
    else
        grep -q 'nosuch' "$MT_OUT" ||
            mt_fail "the failed recovery does not name the missing domain: $(tr '\n' ' ' <"$MT_OUT")"
    fi
    mt_run mt_virsh "$src" domstate --reason mig
    grep -q 'paused (post-copy failed)' "$MT_OUT" ||
        mt_fail "after the failed recovery the source ($src) is '$(head -1 "$MT_OUT")'"
    mt_run mt_virsh "$dst" domstate --reason mig
    grep -q 'paused (post-copy failed)' "$MT_OUT" ||
        mt_fail "after the failed recovery the destination ($dst) is '$(head -1 "$MT_OUT")'"
    # The recovery need not crawl at the post-copy limit of the test.
    mt_run mt_qvirt "$src" migrate-setspeed mig 1000 --postcopy ||
        mt_fail "migrate-setspeed --postcopy on the broken migration failed: $(tr '\n' ' ' <"$MT_OUT")"
    if mt_run mt_qvirt "$src" migrate --live "$@" --postcopy --postcopy-resume mig \
        "$(mt_uri "$dst")"; then
        check_migrated "$src" "$dst" "$want"
        mt_run mt_virsh "$dst" domstate --reason mig
        grep -q 'running (migrated)' "$MT_OUT" ||
            mt_fail "the destination ($dst) is '$(head -1 "$MT_OUT")' after the recovery, expected 'running (migrated)'"
        mt_run mt_virsh "$dst" domjobinfo mig
        grep -q '^Job type: *None' "$MT_OUT" ||
            mt_fail "the destination ($dst) still has a job after the recovery"
        src_log_has "$src" 'post-copy migration resumed' ||
            mt_fail "the source's log does not show the post-copy migration resuming"
        # Nothing is left to resume now: refused clearly, the guest untouched.
        if mt_run mt_qvirt "$dst" migrate --live "$@" --postcopy --postcopy-resume mig \
            "$(mt_uri "$src")"; then
            mt_fail "a second --postcopy-resume, with no broken migration, succeeded"
        else
            grep -q 'not being migrated' "$MT_OUT" ||
                mt_fail "the refused resume does not say why: $(tr '\n' ' ' <"$MT_OUT")"
        fi
        [ "$(mt_domstate "$dst")" = running ] ||
            mt_fail "the guest on $dst is '$(mt_domstate "$dst")' after the refused resume"
    else
        mt_fail "qvirt migrate $* --postcopy-resume failed: $(tr '\n' ' ' <"$MT_OUT")"
    fi
}

if want e2; then
    mt_begin "e2: post-copy a -> b broken by migrate-pause, then qvirt migrate --postcopy-resume"
    if ensure_guest a big; then
        pc_break a b && pc_resume a b "$(src_want a)"
        # Whatever failed, no half-migrated guest is left for the next test.
        [ -n "$MT_ERRS" ] && CUR_SIDE=""
    fi
    mt_end
fi

if want e3; then
    mt_begin "e3: post-copy b -> a (--p2p --persistent --undefinesource) broken by domjobabort --postcopy, then resumed"
    if ensure_guest b big; then
        PC_BREAK=abort
        if pc_break b a --p2p --persistent --undefinesource &&
            pc_resume b a absent --p2p --persistent --undefinesource; then
            mt_run mt_virsh a dominfo mig
            grep -q '^Persistent: *yes' "$MT_OUT" ||
                mt_fail "--persistent: the domain on a is not persistent after the recovery"
        fi
        PC_BREAK=qmp
        [ -n "$MT_ERRS" ] && CUR_SIDE=""
    fi
    mt_end
fi

# ---- g: cancel ----
if want g; then
    mt_begin "g: qvirt domjobabort during a bandwidth-limited migration b -> a"
    if ensure_guest b big; then
        bg timeout 150 "$MT_QVIRT" -c "$(mt_uri b)" migrate --live --bandwidth 10 mig "$(mt_uri a)"
        if mt_wait_cond 30 mt_job_active b; then
            mt_run mt_qvirt b domjobabort mig ||
                mt_fail "qvirt domjobabort failed: $(tr '\n' ' ' <"$MT_OUT")"
        else
            mt_fail "the migration job never showed up on b (30 s)"
            mt_qvirt b domjobabort mig >/dev/null 2>&1
        fi
        if bg_wait; then
            mt_fail "qvirt migrate succeeded although it was aborted"
        else
            echo "# the aborted migration: $(tr -s '\n' ' ' <"$MT_OUT")"
            grep -qi 'cancel\|abort' "$MT_OUT" ||
                mt_fail "the migrate command's error does not say it was cancelled: $(tr '\n' ' ' <"$MT_OUT")"
        fi
        st=$(mt_domstate b)
        [ "$st" = running ] || mt_fail "the source (b) is '$st' after the abort, expected running"
        before=$(mt_hb_last "$(mt_serial b)")
        mt_wait_hb "$(mt_serial b)" $((${before:-0} + 2)) 15 ||
            mt_fail "the guest's heartbeat on the source stopped at $(mt_hb_last "$(mt_serial b)") after the abort"
        mt_check_panic "$(mt_serial b)" "source (b)"
        mt_wait_cond 15 mt_no_qemu a ||
            mt_fail "an incoming QEMU remains on the destination (a): pid $(mt_qemu_pids a/ | tr '\n' ' ')"
        st=$(mt_domstate a)
        [ "$st" = absent ] || mt_fail "the destination (a) still has the domain: '$st'"
        mt_run mt_virsh b domjobinfo mig
        grep -q '^Job type: *None' "$MT_OUT" ||
            mt_fail "the source still has a job after the abort: $(tr '\n' ' ' <"$MT_OUT")"
    fi
    mt_end
fi

# ---- h: destination lease ----
if want h; then
    mt_begin "h: destination lease: the client of a client-driven migration is killed"
    if ensure_guest b big; then
        # qvirt itself in the background (no wrapper): its pid is killed.
        "$MT_QVIRT" -c "$(mt_uri b)" migrate --live --bandwidth 10 mig "$(mt_uri a)" \
            >"$MT_T/bg.out" 2>&1 &
        client=$!
        mt_bg_add "$client"
        if mt_wait_cond 30 mt_has_qemu a && mt_wait_cond 30 mt_job_active b; then
            kill -KILL "$client"
            wait "$client" 2>/dev/null
            t0=$SECONDS
            mt_wait_cond 30 mt_no_qemu a && echo "# the incoming QEMU went away $((SECONDS - t0)) s after its client died" ||
                mt_fail "the incoming QEMU on the destination (a) still runs 30 s after its client died: pid $(mt_qemu_pids a/ | tr '\n' ' ')"
            st=$(mt_domstate a)
            [ "$st" = absent ] || mt_fail "the destination (a) still has the domain: '$st'"
            # Not merely QEMU ending its failed incoming migration by itself:
            # the destination daemon expired the lease.
            mt_log_since a | grep -qi 'lease\|prepared its incoming migration closed' ||
                mt_fail "the destination daemon's log does not show the lease expiring"
            mt_wait_cond 30 eval '[ "$(mt_domstate b)" = running ]' ||
                mt_fail "the source (b) is '$(mt_domstate b)' after its client died, expected running"
            before=$(mt_hb_last "$(mt_serial b)")
            mt_wait_hb "$(mt_serial b)" $((${before:-0} + 2)) 15 ||
                mt_fail "the guest's heartbeat on the source stopped after the client died"
        else
            mt_fail "the incoming QEMU on a or the job on b never showed up (30 s)"
            kill -KILL "$client" 2>/dev/null
        fi
    fi
    mt_end
fi

# ---- k: same host UUID ----
if want k; then
    mt_begin "k: a migration to a daemon with the source's host UUID is refused"
    ub=$(sed -n 's/^host_uuid = //p' "$MT_T/b/config/qvirt/qvirtd.conf")
    if ! mt_daemon_start e "" "$ub"; then
        mt_fail "qvirtd e did not start: $(cat "$MT_OUT")"
    elif ensure_guest b "${CUR_VARIANT:-small}"; then
        if mt_run mt_qvirt b migrate --live mig "$(mt_uri e)"; then
            mt_fail "the migration to a daemon with the same host UUID succeeded"
        else
            grep -qi 'same host' "$MT_OUT" ||
                mt_fail "the error does not say it is the same host: $(tr '\n' ' ' <"$MT_OUT")"
        fi
        st=$(mt_domstate b)
        [ "$st" = running ] || mt_fail "the source (b) is '$st' after the refused migration"
        mt_wait_cond 15 mt_no_qemu e ||
            mt_fail "a QEMU remains on e: pid $(mt_qemu_pids e/ | tr '\n' ' ')"
        st=$(mt_domstate e)
        [ "$st" = absent ] || mt_fail "e has the domain: '$st'"
    fi
    mt_daemon_stop e
    mt_end
fi

# ---- j: two hosts (network namespaces joined by a veth pair) ----
if want j; then
    ns_ok=0
    nsa=qvmig$$a
    nsb=qvmig$$b
    net=10.$((200 + $$ % 50)).$(($$ % 250)).
    if [ "$(id -u)" = 0 ] && command -v ip >/dev/null 2>&1 &&
        ip netns add "$nsa" 2>/dev/null; then
        MT_NETNS="$nsa"
        if ip netns add "$nsb" 2>/dev/null; then
            MT_NETNS="$nsa $nsb"
            ip link add "qv$$a" netns "$nsa" type veth peer name "qv$$b" netns "$nsb" 2>/dev/null &&
                ip -n "$nsa" addr add "${net}1/24" dev "qv$$a" &&
                ip -n "$nsb" addr add "${net}2/24" dev "qv$$b" &&
                ip -n "$nsa" link set "qv$$a" up && ip -n "$nsb" link set "qv$$b" up &&
                ip -n "$nsa" link set lo up && ip -n "$nsb" link set lo up && ns_ok=1
        fi
    fi
    # veth_rx SIDE: bytes received by SIDE's end of the veth pair.
    veth_rx() {
        local ns=$nsa dev=qv$$a
        [ "$1" = d ] && ns=$nsb && dev=qv$$b
        ip -n "$ns" -s -j link show "$dev" 2>/dev/null |
            sed -n 's/.*"rx":{"bytes":\([0-9]*\).*/\1/p'
    }
    # ns_migrate TOOL [OPTION...]: migrate the guest from the side it runs
    # on to the other one with TOOL (mt_qvirt or mt_virsh), the migration
    # stream sent to the destination's veth address.
    ns_migrate() {
        local tool=$1 src=$CUR_SIDE dst ip rx0 rx1 want
        shift
        dst=$(other_of "$src")
        ip=${net}1
        [ "$dst" = d ] && ip=${net}2
        want=$(src_want "$src")
        rx0=$(veth_rx "$dst")
        if mt_run "$tool" "$src" migrate --live "$@" --migrateuri "tcp:$ip" mig \
            "$(mt_uri "$dst")"; then
            check_migrated "$src" "$dst" "$want"
            rx1=$(veth_rx "$dst")
            echo "# the veth end of $dst received $((${rx1:-0} - ${rx0:-0})) bytes"
            [ -n "$rx0" ] && [ -n "$rx1" ] && [ $((rx1 - rx0)) -gt 20000000 ] ||
                mt_fail "the veth pair carried $((${rx1:-0} - ${rx0:-0})) bytes to $dst: the migration did not cross it"
        else
            mt_fail "migrate $src -> $dst between the namespaces failed: $(tr '\n' ' ' <"$MT_OUT")"
        fi
    }
    if [ "$ns_ok" = 1 ]; then
        mt_begin "j1: two hosts: qvirt migrate --live --migrateuri tcp:IP between two network namespaces (veth)"
        if ! mt_daemon_start c "$nsa" || ! mt_daemon_start d "$nsb"; then
            mt_fail "the daemons in the namespaces did not start: $(cat "$MT_OUT")"
            mt_end
        else
            ensure_guest c small && ns_migrate mt_qvirt
            mt_end
            mt_begin "j2: two hosts: virsh migrate --live --migrateuri tcp:IP between the namespaces"
            ensure_guest "${CUR_SIDE:-c}" small && ns_migrate mt_virsh
            mt_end
            mt_begin "j3: two hosts: qvirt migrate --live --p2p --migrateuri tcp:IP between the namespaces"
            ensure_guest "${CUR_SIDE:-c}" small && ns_migrate mt_qvirt --p2p
            mt_end
        fi
    else
        mt_skip "j: two hosts (network namespaces)" "needs root and ip netns"
    fi
fi
# mt_cleanup (the EXIT trap) prints the plan and exits with the status.
exit 0
