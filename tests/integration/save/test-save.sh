#!/bin/bash
# tests/integration/save/test-save.sh: save, restore and managed save of the
# running test guest through one session qvirtd and the stock virsh (issue
# #12); TAP. Harness: ../migration/lib.sh (sourced): one daemon (side a),
# one guest (the memory dirtier, whose serial console prints a heartbeat a
# second).
#
# Cases:
# - round trip: save stops the guest (shut off, reason saved) into a file
#   that starts with the qvirt magic, leaves no temporary file, and restore
#   brings it back running: the heartbeat continues from where it stood and
#   does not restart from zero (no new boot); domjobinfo --completed names
#   the save;
# - save --paused, restore: the guest comes back paused, and resume lets
#   the heartbeat go on;
# - save --bypass-cache leaves the image out of the page cache, and
#   restore --bypass-cache drops the pages it read (skipped where the file
#   system does not drop pages on request); restore's completed job
#   statistics give the whole stream as processed;
# - save --xml stores the given definition of the same domain, which the
#   restored guest runs; restore --xml naming another domain is refused;
# - managed save with a daemon restart in between: dominfo shows the
#   image, undefine is refused while it exists, start --bypass-cache restores (heartbeat
#   continues) and removes the image; managedsave-remove makes start boot
#   afresh; undefine --managed-save removes image and definition; a managed
#   image that cannot be restored makes start fail with an error that says
#   so and keeps it, and start --force-boot removes it and boots afresh;
# - a throttled save (save_max_bandwidth = 32 MiB/s, about 8 s): while it
#   runs, dominfo and domjobinfo from another client succeed and show the
#   save; domjobabort cancels it: the guest runs on, no file and no
#   temporary file are left;
# - the daemon dies at crash point save-started (docs/crashpoints.md): once
#   restarted, recovery cancels the save, removes the temporary file and
#   resumes the guest (reason save canceled), and no job is left;
# - restore of a corrupt, a truncated, a foreign and a wrong-version file
#   fails with a clear error and starts no guest; a failed restore of a
#   transient domain leaves no domain behind; a good image restores as a
#   transient domain, which goes away again when it is saved.
# Every daemon and QEMU started is stopped by PID at exit (lib.sh). A
# failed run keeps its logs in tests/integration/save/test-save.logs under
# make check.
set -u
if [ -z "${MT_KEEP_LOGS:-}" ] && [ -n "${QVIRT_TEST_BUILDDIR:-}" ]; then
    MT_KEEP_LOGS=$QVIRT_TEST_BUILDDIR/integration/save/test-save.logs
fi
. "$(dirname "$0")/../migration/lib.sh"

mt_setup
command -v python3 >/dev/null 2>&1 || mt_skip_all "python3 (the image editor) is not installed"

DOM=savevm
OUT=$MT_T/saves
MANAGED=$MT_T/a/state/qvirt/lib/qemu/save/$DOM.save

serial() { mt_serial a "$DOM"; }
state() { mt_domstate a "$DOM"; }
job_active() { mt_job_active a "$DOM"; }
save_files() { ls -A "$OUT" 2>/dev/null; }

# restart_daemon [QEMU_CONF_LINE]: stop side a, add the line, start again.
restart_daemon() {
    mt_daemon_stop a
    [ -n "${1:-}" ] && echo "$1" >>"$MT_T/a/config/qvirt/qemu.conf"
    # The variable assignments split into words on purpose.
    # shellcheck disable=SC2046
    env $(mt_side_env a) "$MT_QVIRTD" --session --pid-file "$MT_T/a/qvirtd.pid" >"$MT_OUT" 2>&1 ||
        mt_fail "qvirtd a did not restart: $(cat "$MT_OUT")"
}

# expect_running WHAT: running, and the heartbeat moves on.
expect_running() {
    local last
    mt_wait_cond 20 eval '[ "$(state)" = running ]' ||
        { mt_fail "$1: the guest is '$(state)', not running"; return 1; }
    last=$(mt_hb_last "$(serial)")
    mt_wait_hb "$(serial)" $((${last:-0} + 2)) 30 ||
        mt_fail "$1: the heartbeat stopped at ${last:-nothing}"
}

# expect_saved WHAT: shut off with reason saved, no QEMU left.
expect_saved() {
    mt_run mt_virsh a domstate "$DOM" --reason
    grep -q 'shut off (saved)' "$MT_OUT" ||
        mt_fail "$1: the domain is not shut off (saved): $(cat "$MT_OUT")"
    mt_wait_cond 10 mt_no_qemu a || mt_fail "$1: a QEMU is left: $(mt_qemu_pids a/)"
}

# Before a QEMU starts (none runs): move the serial log aside, so that what
# the next QEMU prints (it truncates the file when it opens it) is all the
# log holds. Prints a mark for serial_since.
serial_mark() {
    local f
    f=$(serial)
    [ -f "$f" ] && mv "$f" "$f.$(date +%s%N)"
    echo 0
}
# What the guest printed since the mark.
serial_since() { cat "$(serial)" 2>/dev/null; }

# expect_continued WHAT MARK LAST: after MARK the heartbeat goes on past
# LAST, its first value is not below LAST, and the guest did not boot.
expect_continued() {
    local what=$1 mark=$2 last=$3 first
    mt_wait_cond 30 eval '[ "$(serial_since "$mark" | grep -aoE "heartbeat [0-9]+ pass" |
        awk "{print \$2}" | tail -1)" -ge $((last + 2)) ] 2>/dev/null' ||
        { mt_fail "$what: no heartbeat past $((last + 2)) after the restore"; return 1; }
    first=$(serial_since "$mark" | grep -aoE 'heartbeat [0-9]+ pass' | awk '{print $2}' | head -1)
    echo "# $what: heartbeat $last before the save, $first first after"
    [ "${first:-0}" -ge "$last" ] ||
        mt_fail "$what: the heartbeat restarted at $first (it was $last before the save)"
    serial_since "$mark" | grep -aq 'qvirt-guest: booted' &&
        mt_fail "$what: the guest booted again instead of resuming"
    return 0
}

# stream_len FILE: the length of QEMU's stream that FILE's header gives.
stream_len() {
    python3 -c 'import struct,sys; print(struct.unpack_from("<Q", open(sys.argv[1], "rb").read(48), 40)[0])' "$1"
}

# expect_restore_stats FILE: the completed job of the restore from FILE
# is a restore whose progress reached the whole of the image's stream.
expect_restore_stats() {
    local len
    len=$(stream_len "$1")
    mt_run mt_virsh a domjobinfo "$DOM" --completed --rawstats
    grep -q '^operation: *3$' "$MT_OUT" ||
        mt_fail "domjobinfo --completed does not show the restore: $(tr '\n' ' ' <"$MT_OUT")"
    grep -q "^data_total: *$len\$" "$MT_OUT" && grep -q "^data_processed: *$len\$" "$MT_OUT" ||
        mt_fail "the restore's progress is not the image's stream of $len bytes: $(tr '\n' ' ' <"$MT_OUT")"
}

# resident_bytes FILE: how much of FILE is in the page cache.
resident_bytes() { fincore --bytes --noheadings --output RES "$1" 2>/dev/null | tr -d ' '; }

# cache_drop_works: this folder's file system caches what is written and
# drops it on request (a file system that does neither cannot show what
# --bypass-cache does).
cache_drop_works() {
    local probe=$OUT/.cache-probe res
    command -v fincore >/dev/null 2>&1 || return 1
    head -c $((4 << 20)) /dev/urandom >"$probe"
    res=$(resident_bytes "$probe")
    python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.fdatasync(fd); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$probe"
    [ "${res:-0}" -gt 0 ] && [ "$(resident_bytes "$probe")" = 0 ]
    local ok=$?
    rm -f "$probe"
    return $ok
}

# ---- the daemon and the guest ----
mt_begin "a session qvirtd starts and the test guest boots"
if mt_daemon_start a; then
    mkdir -p "$OUT"
    mt_guest_xml "$DOM" 8 >"$MT_T/$DOM.xml"
    mt_guest_boot a "$MT_T/$DOM.xml" "$DOM"
else
    mt_fail "qvirtd a did not start: $(cat "$MT_OUT")"
fi
if ! mt_end; then
    echo "Bail out! no daemon or no guest"
    exit 1
fi

# ---- round trip ----
mt_begin "save and restore: the heartbeat continues, no new boot, no temporary file"
f=$OUT/vm.img
mt_wait_hb "$(serial)" 3 60 || mt_fail "no heartbeat 3 before the save"
if mt_run mt_virsh a save "$DOM" "$f"; then
    last=$(mt_hb_last "$(serial)")
    expect_saved "after save"
    [ "$(head -c 14 "$f")" = QvirtSaveImage ] || mt_fail "the image does not start with the qvirt magic"
    [ "$(save_files)" = vm.img ] || mt_fail "other files beside the image: $(save_files | tr '\n' ' ')"
    [ "$(stat -c %a "$f")" = 600 ] || mt_fail "the image's mode is $(stat -c %a "$f"), not 600"
    mt_run mt_virsh a domjobinfo "$DOM" --completed
    grep -q '^Operation: *Save' "$MT_OUT" ||
        mt_fail "domjobinfo --completed does not show the save: $(tr '\n' ' ' <"$MT_OUT")"
    mark=$(serial_mark)
    if mt_run mt_virsh a restore "$f"; then
        expect_running "after restore"
        expect_continued "after restore" "$mark" "${last:-0}"
        mt_run mt_virsh a domstate "$DOM" --reason
        grep -q 'running (restored)' "$MT_OUT" || mt_fail "the reason is not restored: $(cat "$MT_OUT")"
        expect_restore_stats "$f"
    else
        mt_fail "virsh restore failed: $(cat "$MT_OUT")"
    fi
else
    mt_fail "virsh save failed: $(cat "$MT_OUT")"
fi
rm -f "$f"
mt_end

# ---- save --paused ----
mt_begin "save --paused, restore: the guest comes back paused, resume continues it"
f=$OUT/paused.img
if mt_run mt_virsh a save "$DOM" "$f" --paused; then
    last=$(mt_hb_last "$(serial)")
    expect_saved "after save --paused"
    mark=$(serial_mark)
    if mt_run mt_virsh a restore "$f"; then
        [ "$(state)" = paused ] || mt_fail "restored guest is '$(state)', not paused"
        mt_run mt_virsh a resume "$DOM" || mt_fail "resume failed: $(cat "$MT_OUT")"
        expect_running "after resume"
        expect_continued "after resume" "$mark" "${last:-0}"
    else
        mt_fail "virsh restore failed: $(cat "$MT_OUT")"
    fi
else
    mt_fail "virsh save --paused failed: $(cat "$MT_OUT")"
fi
rm -f "$f"
mt_end

# ---- --bypass-cache ----
if ! cache_drop_works; then
    mt_skip "save and restore --bypass-cache leave the image out of the page cache" \
        "no fincore, or this file system does not drop pages on request"
else
    mt_begin "save and restore --bypass-cache leave the image out of the page cache"
    f=$OUT/bypass.img
    if mt_run mt_virsh a save "$DOM" "$f" --bypass-cache; then
        expect_saved "after save --bypass-cache"
        size=$(stat -c %s "$f")
        res=$(resident_bytes "$f")
        [ "${res:-$size}" -le $((size / 10)) ] ||
            mt_fail "after save --bypass-cache ${res:-?} of $size bytes are in the page cache"
        # Read into the cache: restore --bypass-cache drops it again.
        cat "$f" >/dev/null
        [ "$(resident_bytes "$f")" -gt $((size / 2)) ] || mt_fail "reading the image did not cache it"
        if mt_run mt_virsh a restore "$f" --bypass-cache; then
            expect_running "after restore --bypass-cache"
            res=$(resident_bytes "$f")
            [ "${res:-$size}" -le $((size / 10)) ] ||
                mt_fail "after restore --bypass-cache ${res:-?} of $size bytes are in the page cache"
        else
            mt_fail "virsh restore --bypass-cache failed: $(cat "$MT_OUT")"
        fi
    else
        mt_fail "virsh save --bypass-cache failed: $(cat "$MT_OUT")"
    fi
    rm -f "$f"
    mt_end
fi

# ---- another definition in the image ----
mt_begin "save --xml: the image holds the given definition; restore --xml of another domain is refused"
f=$OUT/xml.img
uuid=$(mt_virsh a domuuid "$DOM" 2>/dev/null | head -1)
sed -e "s|<name>$DOM</name>|<name>$DOM</name><uuid>$uuid</uuid><description>saved with --xml</description>|" \
    "$MT_T/$DOM.xml" >"$MT_T/alt.xml"
sed -e "s|<name>$DOM</name>|<name>other</name>|" "$MT_T/alt.xml" >"$MT_T/other.xml"
if mt_run mt_virsh a save "$DOM" "$f" --xml "$MT_T/alt.xml"; then
    if mt_run mt_virsh a restore "$f" --xml "$MT_T/other.xml"; then
        mt_fail "restore --xml with another name succeeded"
    else
        grep -q "must stay" "$MT_OUT" || mt_fail "unclear error for another name: $(cat "$MT_OUT")"
        [ "$(state)" = "shut off" ] || mt_fail "after the refused restore the domain is '$(state)'"
    fi
    if mt_run mt_virsh a restore "$f"; then
        expect_running "after restore"
        mt_run mt_virsh a dumpxml "$DOM"
        grep -q '<description>saved with --xml</description>' "$MT_OUT" ||
            mt_fail "the restored domain does not run the definition given to save --xml"
    else
        mt_fail "virsh restore failed: $(cat "$MT_OUT")"
    fi
else
    mt_fail "virsh save --xml failed: $(cat "$MT_OUT")"
fi
rm -f "$f"
mt_end

# ---- managed save across a daemon restart ----
mt_begin "managedsave, daemon restart, start: restored, image removed; undefine refused meanwhile"
if mt_run mt_virsh a managedsave "$DOM"; then
    last=$(mt_hb_last "$(serial)")
    expect_saved "after managedsave"
    [ -f "$MANAGED" ] || mt_fail "no managed save image at $MANAGED"
    mt_run mt_virsh a dominfo "$DOM"
    grep -q '^Managed save: *yes' "$MT_OUT" || mt_fail "dominfo shows no managed save: $(tr '\n' ' ' <"$MT_OUT")"
    if mt_run mt_virsh a undefine "$DOM"; then
        mt_fail "undefine succeeded with a managed save image"
    else
        grep -qi 'managed save' "$MT_OUT" || mt_fail "undefine's error names no managed save: $(cat "$MT_OUT")"
    fi
    restart_daemon
    mt_run mt_virsh a dominfo "$DOM"
    grep -q '^Managed save: *yes' "$MT_OUT" || mt_fail "after the restart dominfo shows no managed save"
    mark=$(serial_mark)
    if mt_run mt_virsh a start "$DOM" --bypass-cache; then
        expect_running "after start"
        expect_continued "after start from the managed image" "$mark" "${last:-0}"
        [ -e "$MANAGED" ] && mt_fail "the managed save image is still there after start"
        mt_run mt_virsh a dominfo "$DOM"
        grep -q '^Managed save: *no' "$MT_OUT" || mt_fail "dominfo still shows a managed save"
    else
        mt_fail "start from the managed save image failed: $(cat "$MT_OUT")"
    fi
else
    mt_fail "virsh managedsave failed: $(cat "$MT_OUT")"
fi
mt_end

mt_begin "managedsave-remove: start boots afresh; undefine --managed-save removes the image"
if mt_run mt_virsh a managedsave "$DOM"; then
    mt_run mt_virsh a managedsave-remove "$DOM" || mt_fail "managedsave-remove failed: $(cat "$MT_OUT")"
    [ -e "$MANAGED" ] && mt_fail "the image is still there after managedsave-remove"
    mark=$(serial_mark)
    if mt_run mt_virsh a start "$DOM"; then
        mt_wait_cond 180 eval 'serial_since "$mark" | grep -aq "qvirt-guest: booted"' ||
            mt_fail "the guest did not boot afresh"
        mt_wait_hb "$(serial)" 1 60 || mt_fail "no heartbeat after the fresh boot"
    else
        mt_fail "start failed: $(cat "$MT_OUT")"
    fi
    if mt_run mt_virsh a managedsave "$DOM"; then
        mt_run mt_virsh a undefine "$DOM" --managed-save ||
            mt_fail "undefine --managed-save failed: $(cat "$MT_OUT")"
        [ -e "$MANAGED" ] && mt_fail "the image is still there after undefine --managed-save"
        [ "$(state)" = absent ] || mt_fail "the domain is '$(state)' after undefine"
    else
        mt_fail "the second managedsave failed: $(cat "$MT_OUT")"
    fi
else
    mt_fail "virsh managedsave failed: $(cat "$MT_OUT")"
fi
# The next cases start from a freshly booted guest.
mt_domain_purge a "$DOM"
mt_guest_boot a "$MT_T/$DOM.xml" "$DOM"
mt_end

mt_begin "a managed image that cannot be restored: start fails and keeps it, start --force-boot boots afresh"
mt_run mt_virsh a destroy "$DOM" || mt_fail "destroy failed: $(cat "$MT_OUT")"
printf 'QvirtSaveImage\0\0\7\0\0\0' >"$MANAGED"
if mt_run mt_virsh a start "$DOM"; then
    mt_fail "start from a bad managed save image succeeded"
else
    grep -q 'managed save image' "$MT_OUT" && grep -q 'force-boot' "$MT_OUT" ||
        mt_fail "start's error does not explain the image: $(cat "$MT_OUT")"
    echo "# $(grep error "$MT_OUT" | tail -1)"
fi
[ -f "$MANAGED" ] || mt_fail "the failed start removed the managed save image"
[ "$(state)" = "shut off" ] || mt_fail "after the failed start the domain is '$(state)'"
mark=$(serial_mark)
if mt_run mt_virsh a start "$DOM" --force-boot; then
    [ -e "$MANAGED" ] && mt_fail "start --force-boot left the managed save image"
    mt_wait_cond 180 eval 'serial_since "$mark" | grep -aq "qvirt-guest: booted"' ||
        mt_fail "the guest did not boot afresh"
    mt_wait_hb "$(serial)" 1 60 || mt_fail "no heartbeat after the fresh boot"
else
    mt_fail "start --force-boot failed: $(cat "$MT_OUT")"
fi
mt_end

# ---- a throttled save: reads meanwhile, then abort ----
mt_begin "during a throttled save dominfo and domjobinfo answer; domjobabort: guest runs on, no file left"
restart_daemon "save_max_bandwidth = 32"
f=$OUT/aborted.img
expect_running "after the daemon restart"
mt_virsh a save "$DOM" "$f" >"$MT_T/save.out" 2>&1 &
bg=$!
mt_bg_add $bg
if mt_wait_cond 30 job_active; then
    mt_run mt_virsh a dominfo "$DOM" || mt_fail "dominfo failed during the save: $(cat "$MT_OUT")"
    mt_run mt_virsh a domjobinfo "$DOM"
    grep -q '^Operation: *Save' "$MT_OUT" ||
        mt_fail "domjobinfo names no save: $(tr '\n' ' ' <"$MT_OUT")"
    mt_run mt_virsh a domstate "$DOM" --reason
    grep -q 'paused (saving)' "$MT_OUT" || mt_fail "the guest is not paused (saving): $(cat "$MT_OUT")"
    mt_run mt_virsh a domjobabort "$DOM" || mt_fail "domjobabort failed: $(cat "$MT_OUT")"
else
    mt_fail "domjobinfo never showed the save running"
fi
wait $bg
rc=$?
[ $rc != 0 ] || mt_fail "the aborted save succeeded"
grep -qi 'cancel' "$MT_T/save.out" || mt_fail "the save's error says nothing of a cancel: $(cat "$MT_T/save.out")"
echo "# aborted save: $(grep error "$MT_T/save.out" | tail -1)"
expect_running "after the abort"
mt_run mt_virsh a domstate "$DOM" --reason
grep -q 'running (save canceled)' "$MT_OUT" || mt_fail "the reason is not save canceled: $(cat "$MT_OUT")"
[ -z "$(save_files)" ] || mt_fail "files left after the abort: $(save_files | tr '\n' ' ')"
mt_end

# ---- the daemon dies during a save ----
mt_begin "crash point save-started: the restarted daemon cancels the save, removes its file, resumes the guest"
f=$OUT/crash.img
mt_daemon_stop a
# The variable assignments split into words on purpose.
# shellcheck disable=SC2046
env $(mt_side_env a) QVIRT_CRASH_POINT=save-started "$MT_QVIRTD" --session \
    --pid-file "$MT_T/a/qvirtd.pid" >"$MT_OUT" 2>&1 || mt_fail "qvirtd a did not start: $(cat "$MT_OUT")"
pid=$(cat "$MT_T/a/qvirtd.pid" 2>/dev/null)
[ -n "$pid" ] || mt_fail "the armed daemon wrote no pid file"
mt_run mt_virsh a save "$DOM" "$f" && mt_fail "the save succeeded although the daemon was to die"
mt_wait_cond 30 eval "! mt_pid_alive $pid" || mt_fail "the daemon did not die at the crash point"
grep -q "crash point 'save-started' reached" "$(mt_log a)" || mt_fail "the crash point was not reached"
restart_daemon
expect_running "after the recovery"
mt_run mt_virsh a domstate "$DOM" --reason
grep -q 'running (save canceled)' "$MT_OUT" || mt_fail "the reason is not save canceled: $(cat "$MT_OUT")"
[ -z "$(save_files)" ] || mt_fail "files left after the recovery: $(save_files | tr '\n' ' ')"
mt_run mt_virsh a domjobinfo "$DOM"
grep -q '^Job type: *None' "$MT_OUT" || mt_fail "a job is left: $(tr '\n' ' ' <"$MT_OUT")"
mt_end

# ---- bad files ----
mt_begin "restore of corrupt, truncated, foreign and wrong-version files fails cleanly"
good=$OUT/good.img
if mt_run mt_virsh a save "$DOM" "$good"; then
    python3 - "$good" "$OUT" <<'PY'
import struct, sys
good, out = sys.argv[1], sys.argv[2]
data = open(good, "rb").read()
off, = struct.unpack_from("<Q", data, 32)
# QEMU's stream with garbage in its middle.
mid = off + (len(data) - off) // 2
open(out + "/corrupt.img", "wb").write(data[:mid] + bytes(range(256)) * 64 + data[mid + 16384:])
# Cut in the stream, and cut in the XML.
open(out + "/truncated.img", "wb").write(data[: off + (len(data) - off) // 3])
open(out + "/truncated-xml.img", "wb").write(data[:100])
# A version this qvirt does not read.
v = bytearray(data[:off + 65536]); struct.pack_into("<I", v, 16, 7)
open(out + "/version.img", "wb").write(bytes(v))
# Not an image at all.
open(out + "/foreign.img", "wb").write(b"LibvirtQemudSave" + b"\0" * 4096)
PY
    for bad in corrupt truncated truncated-xml version foreign; do
        case $bad in
        truncated*) want='truncated' ;;
        version) want='version 7' ;;
        foreign) want='not a qvirt save image' ;;
        corrupt) want='load' ;;
        esac
        if mt_run mt_virsh a restore "$OUT/$bad.img"; then
            mt_fail "restore of the $bad file succeeded"
        else
            grep -q "$want" "$MT_OUT" || mt_fail "restore of the $bad file: unclear error: $(cat "$MT_OUT")"
            echo "# $bad: $(grep -v "^$" "$MT_OUT" | tail -1 | tail -c 220)"
        fi
        [ "$(state)" = "shut off" ] || mt_fail "after the $bad restore the domain is '$(state)'"
        mt_wait_cond 10 mt_no_qemu a || mt_fail "after the $bad restore a QEMU is left"
    done
    # A transient domain made by a failed restore goes again.
    mt_run mt_virsh a undefine "$DOM" || mt_fail "undefine failed: $(cat "$MT_OUT")"
    mt_run mt_virsh a restore "$OUT/corrupt.img" && mt_fail "restore of the corrupt file succeeded"
    [ "$(state)" = absent ] || mt_fail "a failed restore left the domain '$(state)'"
    # The good image still restores, as a transient domain.
    if mt_run mt_virsh a restore "$good"; then
        expect_running "after restoring the good image"
        mt_run mt_virsh a dominfo "$DOM"
        grep -q '^Persistent: *no' "$MT_OUT" || mt_fail "the restored domain is not transient"
    else
        mt_fail "restore of the good image failed: $(cat "$MT_OUT")"
    fi
else
    mt_fail "virsh save failed: $(cat "$MT_OUT")"
fi
mt_end

mt_begin "a saved transient domain goes away"
if mt_run mt_virsh a save "$DOM" "$OUT/transient.img"; then
    [ "$(state)" = absent ] || mt_fail "the saved transient domain is '$(state)', not gone"
else
    mt_fail "save of the transient domain failed: $(cat "$MT_OUT")"
    mt_virsh a destroy "$DOM" >/dev/null 2>&1
fi
mt_wait_cond 10 mt_no_qemu a || mt_fail "a QEMU is left"
mt_end
