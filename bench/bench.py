#!/usr/bin/python3
"""bench/bench.py: the benchmark client (started by bench/run).

What it owns and its contract:
- Drives qvirtd and Debian's libvirtd through the same client
  (python3-libvirt) with the same workload, and raw QEMU through QMP
  (bench/qmp.py), for benchmarks B1..B12 of issue 14.
- Every figure alternates the systems (A B A B ...), begins with warm-up
  rounds that are not recorded, and is timed inside this process with
  time.perf_counter().
- Writes the raw samples as JSON (--json) and the report as Markdown
  (--report); bench/report.py formats it.
- Everything it starts (daemons, raw QEMUs) is stopped by PID before it
  exits, and every PID is also appended to WORKDIR/pids for bench/run's
  exit trap. Guests of a daemon are killed by PID when their command line
  names the daemon's private folder.
- Exit status: 0 when every benchmark produced numbers, 1 otherwise.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import traceback

import libvirt

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemons import Libvirtd, Qvirtd, pid_gone, qemu_pids, wait_until  # noqa: E402
from qmp import RawQemu  # noqa: E402
import report  # noqa: E402

libvirt.registerErrorHandler(lambda ctx, err: None, None)

now = time.perf_counter


def log(msg):
    sys.stderr.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


# ---- configuration of one run ----

# The same explicit bandwidth for every system: "no limit" (libvirt's default;
# QEMU 7.2's own default is 128 MiB/s).
UNLIMITED_MIB = 1 << 20          # MiB/s, as VIR_MIGRATE_PARAM_BANDWIDTH
MIGRATION_TIMEOUT = 90           # s; a migration that does not converge is aborted

# The status calls of B2 and B3: (metric name, libvirt call, raw QMP command).
STATUS_CALLS = [("GetInfo (raw: query-status)", lambda d: d.info(),
                 '{"execute":"query-status"}'),
                ("GetState (raw: query-status)", lambda d: d.state(),
                 '{"execute":"query-status"}'),
                ("GetJobStats (raw: query-migrate)", lambda d: d.jobStats(),
                 '{"execute":"query-migrate"}')]

FULL = dict(warm=2, b1_k=300, b1_n=20, b2_k=200, b2_n=12, b4_k=50, b4_n=10, b5_n=12,
            b7_count=500, b7_n=5, b9_small=10, b9_big=100, b9_n=5,
            b10_n=6, b10_dirty=64, b3_n=5, b3_window_k=0.5, b11_n=10,
            b12_defines=[10, 100, 1000, 10000], b12_starts=[1, 10, 50])
QUICK = dict(warm=1, b1_k=100, b1_n=3, b2_k=50, b2_n=3, b4_k=20, b4_n=2, b5_n=2,
             b7_count=50, b7_n=1, b9_small=3, b9_big=6, b9_n=1,
             b10_n=1, b10_dirty=8, b3_n=1, b3_window_k=0.2, b11_n=1,
             b12_defines=[10, 100], b12_starts=[1, 3, 5])


class Results:
    """Samples per benchmark, metric and system."""

    def __init__(self):
        self.data = {}
        self.notes = {}

    def add(self, bench, metric, system, value, unit, higher=False):
        b = self.data.setdefault(bench, {})
        m = b.setdefault(metric, {"unit": unit, "higher": higher, "values": {}})
        m["values"].setdefault(system, []).append(value)

    def note(self, bench, text):
        self.notes.setdefault(bench, []).append(text)


class Bench:
    def __init__(self, args):
        self.args = args
        self.cfg = QUICK if args.quick else FULL
        self.t = args.workdir
        self.pidfile = os.path.join(self.t, "pids")
        self.guest = os.path.join(self.t, "guest")
        self.res = Results()
        self.daemons = []      # every daemon object made (stopped at the end)
        self.raws = []         # every RawQemu made
        self.port = 47000 + (os.getpid() % 200) * 10
        self.with_libvirt = args.libvirt
        self.kinds = ["qvirt", "libvirt"] if self.with_libvirt else ["qvirt"]
        self.serial = 0

    # ---- helpers ----

    def next_port(self):
        self.port += 10
        return self.port

    def new_daemon(self, kind, name):
        if kind == "qvirt":
            d = Qvirtd(self.t, name, self.pidfile, self.next_port(), self.args.qvirtd,
                       self.args.driver_dir)
        else:
            d = Libvirtd(self.t, name, self.pidfile, self.next_port())
        self.daemons.append(d)
        return d

    def new_raw(self, name, **kw):
        r = RawQemu(self.t, self.pidfile, self.guest, name, **kw)
        self.raws.append(r)
        return r

    def uniq(self, prefix):
        self.serial += 1
        return "%s%d" % (prefix, self.serial)

    def cmdline(self, dirty_mb):
        with open(os.path.join(self.guest, "cmdline")) as f:
            words = [w for w in f.read().split() if not w.startswith("dirty_mb=")]
        return " ".join(words + ["dirty_mb=%d" % dirty_mb])

    def xml(self, name, mem_kib=262136, dirty_mb=0, serial=None, disk=None):
        dev = ""
        if disk:
            dev += ("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                    "<source file='%s'/><target dev='vda' bus='virtio'/></disk>" % disk)
        if serial:
            dev += "<serial type='file'><source path='%s'/></serial>" % serial
        return """<domain type='qemu'>
  <name>%s</name>
  <memory unit='KiB'>%d</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%s/vmlinuz</kernel>
    <initrd>%s/initrd.gz</initrd>
    <cmdline>%s</cmdline>
  </os>
  <features><acpi/></features>
  <devices>%s<memballoon model='none'/></devices>
</domain>""" % (name, mem_kib, self.guest, self.guest, self.cmdline(dirty_mb), dev)

    def rounds(self, n):
        """Round indexes: warm-up rounds first (negative), then n recorded ones."""
        return range(-self.cfg["warm"], n)

    @staticmethod
    def order(systems, i):
        """A B A B ..., the first system alternating between rounds."""
        return systems if i % 2 == 0 else list(reversed(systems))

    def wait_booted(self, path, timeout=180, heartbeat=None):
        def ok():
            try:
                with open(path, "rb") as f:
                    text = f.read()
            except OSError:
                return False
            if b"qvirt-guest: booted" not in text:
                return False
            return heartbeat is None or (b"heartbeat %d pass" % heartbeat) in text
        # Bounded poll of the serial file: nothing else announces the boot.
        if not wait_until(ok, timeout, 0.05):
            raise RuntimeError("guest did not boot (serial log %s)" % path)

    def guarded(self, bench, fn):
        log("%s ..." % bench)
        t0 = now()
        try:
            fn()
        except Exception as e:  # a benchmark's failure is reported, the run goes on
            traceback.print_exc()
            msg = "not measured completely: %s: %s" % (
                type(e).__name__, str(e).splitlines()[0] if str(e) else "")
            for key in re.findall(r"B\d+", bench) or ["run"]:
                self.res.note(key, msg)
        log("%s done in %.1f s" % (bench, now() - t0))

    # ---- phase 1: one daemon of each kind, plus raw QEMU ----

    def phase1(self):
        self.main = {k: self.new_daemon(k, k[0] + "m") for k in self.kinds}
        self.conn = {}
        for k, d in self.main.items():
            self.conn[k] = d.start()
        self.guarded("B1", self.b1)
        # One running guest per system for B2 and B4 (booted, idle: dirty_mb=0).
        self.g = {}
        for k in self.kinds:
            d = self.main[k]
            ser = d.serial_path("idle")
            dom = self.conn[k].createXML(self.xml("idle", serial=ser), 0)
            self.g[k] = (dom, ser)
        self.raw_idle = self.new_raw("idle").start()
        for k in self.kinds:
            self.wait_booted(self.g[k][1])
        self.wait_booted(self.raw_idle.serial)
        self.guarded("B2", self.b2)
        self.guarded("B4", self.b4)
        for k in self.kinds:
            self.g[k][0].destroy()
        self.raw_idle.stop()
        self.guarded("B5/B6", self.b5_b6)
        self.guarded("B11", self.b11)
        for d in self.main.values():
            d.stop()
            d.kill_guests()

    def b1(self):
        k = self.cfg["b1_k"]
        raw = self.new_raw("b1", paused=True, serial=False).start()
        systems = self.kinds + ["raw"]
        for i in self.rounds(self.cfg["b1_n"]):
            for s in self.order(systems, i):
                if s == "raw":
                    q = raw.qmp
                    t0 = now()
                    for _ in range(k):
                        q.send_raw('{"execute":"query-version"}')
                    dt = now() - t0
                else:
                    c = self.conn[s]
                    t0 = now()
                    for _ in range(k):
                        c.getLibVersion()
                    dt = now() - t0
                if i >= 0:
                    self.res.add("B1", "getLibVersion (raw: QMP query-version)", s, k / dt,
                                 "calls/s", higher=True)
        raw.stop()

    def b2(self):
        k = self.cfg["b2_k"]
        systems = self.kinds + ["raw"]
        for i in self.rounds(self.cfg["b2_n"]):
            for name, fn, qmpcmd in STATUS_CALLS:
                for s in self.order(systems, i):
                    if s == "raw":
                        q = self.raw_idle.qmp
                        t0 = now()
                        for _ in range(k):
                            q.send_raw(qmpcmd)
                        dt = now() - t0
                    else:
                        dom = self.g[s][0]
                        t0 = now()
                        for _ in range(k):
                            fn(dom)
                        dt = now() - t0
                    if i >= 0:
                        self.res.add("B2", name, s, k / dt, "calls/s", higher=True)

    def b4(self):
        import libvirt_qemu
        k = self.cfg["b4_k"]
        cmd = '{"execute":"query-status"}'
        systems = self.kinds + ["raw"]
        for i in self.rounds(self.cfg["b4_n"]):
            for s in self.order(systems, i):
                lat = []
                for _ in range(k):
                    if s == "raw":
                        t0 = now()
                        self.raw_idle.qmp.send_raw(cmd)
                    else:
                        t0 = now()
                        libvirt_qemu.qemuMonitorCommand(self.g[s][0], cmd, 0)
                    lat.append((now() - t0) * 1000)
                if i >= 0:
                    for v in lat:
                        self.res.add("B4", "query-status round trip", s, v, "ms")

    def b5_b6(self):
        systems = self.kinds + ["raw"]
        for i in self.rounds(self.cfg["b5_n"]):
            for s in self.order(systems, i):
                name = self.uniq("b5-")
                if s == "raw":
                    r = self.new_raw(name, serial=False)
                    t0 = now()
                    r.start()
                    while r.qmp.cmd("query-status")["status"] != "running":
                        pass
                    t_create = now() - t0
                    t0 = now()
                    r.proc.terminate()
                    r.proc.wait()
                    t_destroy = now() - t0
                    r.proc = None
                    r.stop()
                else:
                    c = self.conn[s]
                    x = self.xml(name)
                    t0 = now()
                    dom = c.createXML(x, 0)
                    t_create = now() - t0
                    pids = qemu_pids("guest=%s," % name)
                    t0 = now()
                    dom.destroy()
                    t_ret = now() - t0
                    for p in pids:
                        if not wait_until(lambda: pid_gone(p), 30, 0.0005):
                            raise RuntimeError("QEMU %d of %s not reaped in 30 s" % (p, s))
                    t_destroy = now() - t0
                    if i >= 0:
                        self.res.add("B6", "destroy() returns", s, t_ret * 1000, "ms")
                if i >= 0:
                    self.res.add("B5", "create → running", s, t_create * 1000, "ms")
                    self.res.add("B6", "destroy → QEMU reaped", s, t_destroy * 1000, "ms")

    def b11(self):
        systems = self.kinds + ["raw"]
        disks = {}
        doms = {}
        for s in systems:
            d = self.main[s].dir if s != "raw" else self.t
            disks[s] = os.path.join(d, "b11-disk.qcow2")
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disks[s], "64M"],
                           check=True)
            if s == "libvirt":
                self.main[s].chown(disks[s])
        # Paused guests: block jobs work the same, and no booting TCG guest
        # competes for the 2 cores while aborts are timed.
        for s in self.kinds:
            doms[s] = self.conn[s].createXML(self.xml("b11", disk=disks[s]),
                                             libvirt.VIR_DOMAIN_START_PAUSED)
        raw = self.new_raw("b11", disk=disks["raw"], serial=False, paused=True).start()
        for i in self.rounds(self.cfg["b11_n"]):
            for mode in ("sync", "async"):
                for s in self.order(systems, i):
                    base = self.main[s].dir if s != "raw" else raw.dir
                    target = os.path.join(base, "b11-copy-%d-%s.qcow2" % (i + 10, mode))
                    if s == "raw":
                        dt = self.b11_raw(raw, target, mode, i)
                    else:
                        dt = self.b11_daemon(s, doms[s], target, mode)
                    if i >= 0:
                        self.res.add("B11", "blockJobAbort of a ready copy job, %s" % mode, s,
                                     dt * 1000, "ms")
                    if os.path.exists(target):
                        os.unlink(target)
        for s in self.kinds:
            doms[s].destroy()
        raw.stop()

    def b11_daemon(self, s, dom, target, mode):
        dest = ("<disk type='file'><driver type='qcow2'/><source file='%s'/></disk>" % target)
        dom.blockCopy("vda", dest, None, 0)

        def ready():
            info = dom.blockJobInfo("vda", 0)
            return info and info.get("end", 0) > 0 and info["cur"] == info["end"]
        if not wait_until(ready, 60, 0.01):
            raise RuntimeError("%s: block copy did not become ready" % s)
        flags = libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC if mode == "async" else 0
        t0 = now()
        dom.blockJobAbort("vda", flags)
        dt = now() - t0
        if not wait_until(lambda: not dom.blockJobInfo("vda", 0), 60, 0.005):
            raise RuntimeError("%s: the block job did not go away after abort" % s)
        return dt

    def b11_raw(self, raw, target, mode, i):
        q = raw.qmp
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", target, "64M"], check=True)
        node = "t%d%s" % (i + 10, mode)
        job = "j" + node
        q.cmd("blockdev-add", driver="qcow2", **{"node-name": node},
              file={"driver": "file", "filename": target})
        q.cmd("blockdev-mirror", **{"job-id": job}, device="d0", target=node, sync="full")
        q.wait_event(["BLOCK_JOB_READY"], 60)
        t0 = now()
        q.cmd("block-job-cancel", device=job)
        if mode == "sync":
            q.wait_event(["BLOCK_JOB_COMPLETED", "BLOCK_JOB_CANCELLED"], 60)
        dt = now() - t0
        if mode == "async":
            q.wait_event(["BLOCK_JOB_COMPLETED", "BLOCK_JOB_CANCELLED"], 60)
        wait_until(lambda: not q.cmd("query-block-jobs"), 30, 0.005)
        q.cmd("blockdev-del", **{"node-name": node})
        return dt

    # ---- phase 2: two daemons of each kind (migration) ----

    def phase2(self):
        self.pair = {}
        for k in self.kinds:
            a = self.new_daemon(k, k[0] + "a")
            b = self.new_daemon(k, k[0] + "b")
            self.pair[k] = [(a, a.start()), (b, b.start())]
        self.mig_where = {}
        for k in self.kinds:
            a, ca = self.pair[k][0]
            ser = self.mig_serial(k, 0)
            ca.createXML(self.xml("mig", dirty_mb=self.cfg["b10_dirty"], serial=ser), 0)
            self.mig_where[k] = 0
        self.raw_src = self.new_raw(self.uniq("mig"), dirty_mb=self.cfg["b10_dirty"]).start()
        for k in self.kinds:
            self.wait_booted(self.mig_serial_file(k, 0), heartbeat=1)
        self.wait_booted(self.raw_src.serial, heartbeat=1)
        self.guarded("B10", self.b10)
        self.guarded("B3", self.b3)
        for k in self.kinds:
            for d, c in self.pair[k]:
                d.stop()
                d.kill_guests()
        if self.raw_src:
            self.raw_src.stop()

    def mig_focus(self, s):
        """Only system S's migration guest runs: the others are paused, so that
        three TCG guests dirtying memory do not share 2 cores while one is measured."""
        for k in self.kinds:
            dom = self.pair[k][self.mig_where[k]][1].lookupByName("mig")
            st = dom.state()[0]
            if k == s and st == libvirt.VIR_DOMAIN_PAUSED:
                dom.resume()
            elif k != s and st == libvirt.VIR_DOMAIN_RUNNING:
                dom.suspend()
        q = self.raw_src.qmp
        st = q.cmd("query-status")["status"]
        if s == "raw" and st == "paused":
            q.cmd("cont")
        elif s != "raw" and st == "running":
            q.cmd("stop")

    def mig_serial(self, k, side):
        """The serial path put in the domain XML on SIDE."""
        d = self.pair[k][side][0]
        if k == "qvirt":
            return "/proc/self/cwd/console.log"   # QEMU runs in its per-domain folder
        return d.serial_path("mig")

    def mig_serial_file(self, k, side):
        return self.pair[k][side][0].serial_path("mig")

    def migrate_daemon(self, k, params_extra=None):
        src = self.mig_where[k]
        dst = 1 - src
        _, sc = self.pair[k][src]
        _, dc = self.pair[k][dst]
        dom = sc.lookupByName("mig")
        params = {}
        if k != "qvirt":
            # Give the destination QEMU its own console file.
            x = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_MIGRATABLE)
            params[libvirt.VIR_MIGRATE_PARAM_DEST_XML] = x.replace(
                self.mig_serial(k, src), self.mig_serial(k, dst))
        if params_extra:
            params.update(params_extra)
        return dom, dc, params, dst

    def b10(self):
        systems = self.kinds + ["raw"]
        for i in self.rounds(self.cfg["b10_n"]):
            for s in self.order(systems, i):
                self.mig_focus(s)
                if s == "raw":
                    wall, down = self.b10_raw()
                else:
                    dom, dc, params, dst = self.migrate_daemon(
                        s, {libvirt.VIR_MIGRATE_PARAM_BANDWIDTH: UNLIMITED_MIB})
                    out = []
                    t0 = now()
                    th = threading.Thread(target=lambda: out.append(
                        dom.migrate3(dc, params, libvirt.VIR_MIGRATE_LIVE)))
                    th.start()
                    th.join(MIGRATION_TIMEOUT)
                    wall = now() - t0
                    if th.is_alive():
                        dom.abortJob()
                        th.join(120)
                        raise RuntimeError("%s: the migration did not end within %d s (aborted)"
                                           % (s, MIGRATION_TIMEOUT))
                    if not out:
                        raise RuntimeError("%s: the migration failed" % s)
                    ddom = out[0]
                    self.mig_where[s] = dst
                    try:
                        st = ddom.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED)
                        down = st.get("downtime")
                    except libvirt.libvirtError:
                        down = None
                    if not down:
                        if i >= 0:
                            self.res.note("B10", "%s: the destination's completed job stats "
                                          "report no downtime (%r)" % (s, down))
                        down = None
                if i >= 0:
                    self.res.add("B10", "migration wall time (client)", s, wall * 1000, "ms")
                    if down is not None:
                        self.res.add("B10", "downtime (as reported)", s, float(down), "ms")

    def b10_raw(self):
        src = self.raw_src
        port = self.next_port()
        dst = self.new_raw(self.uniq("mig"), dirty_mb=self.cfg["b10_dirty"],
                           incoming="defer").start()
        dst.qmp.cmd("migrate-incoming", uri="tcp:127.0.0.1:%d" % port)
        src.qmp.cmd("migrate-set-capabilities",
                    capabilities=[{"capability": "events", "state": True}])
        # As libvirt and qvirt do: no bandwidth limit (QEMU's default is 32 MiB/s).
        src.qmp.cmd("migrate-set-parameters", **{"max-bandwidth": 1 << 40})
        t0 = now()
        src.qmp.cmd("migrate", uri="tcp:127.0.0.1:%d" % port)
        while True:
            try:
                ev = src.qmp.wait_event(["MIGRATION"], MIGRATION_TIMEOUT)
            except Exception:
                src.qmp.cmd("migrate_cancel")
                dst.stop()
                raise
            st = ev["data"]["status"]
            if st in ("completed", "failed", "cancelled"):
                break
        if st != "completed":
            raise RuntimeError("raw migration ended %s" % st)
        while dst.qmp.cmd("query-status")["status"] != "running":
            pass
        wall = now() - t0
        down = src.qmp.cmd("query-migrate").get("downtime")
        src.stop()
        self.raw_src = dst
        return wall, down

    def b3(self):
        k = self.cfg["b3_window_k"]
        systems = self.kinds + ["raw"]

        def rates(s, target):
            """Calls per second of each call over a window of k seconds."""
            out = []
            for name, fn, qmpcmd in STATUS_CALLS:
                t0 = now()
                count = 0
                while now() - t0 < k:
                    if s == "raw":
                        target.send_raw(qmpcmd)
                    else:
                        fn(target)
                    count += 1
                out.append((name, count / (now() - t0)))
            return out

        for i in self.rounds(self.cfg["b3_n"]):
            for s in self.order(systems, i):
                self.mig_focus(s)
                if s == "raw":
                    q = self.raw_src.qmp
                    idle = rates(s, q)
                    port = self.next_port()
                    dst = self.new_raw(self.uniq("mig"), dirty_mb=self.cfg["b10_dirty"],
                           incoming="defer").start()
                    dst.qmp.cmd("migrate-incoming", uri="tcp:127.0.0.1:%d" % port)
                    q.cmd("migrate-set-parameters", **{"max-bandwidth": 4 << 20})
                    q.cmd("migrate", uri="tcp:127.0.0.1:%d" % port)
                    busy = rates(s, q)
                    active = q.cmd("query-migrate").get("status") == "active"
                    q.cmd("migrate_cancel")
                    wait_until(lambda: q.cmd("query-migrate").get("status") != "active"
                               and q.cmd("query-migrate").get("status") != "cancelling",
                               30, 0.01)
                    q.cmd("migrate-set-parameters", **{"max-bandwidth": 1 << 40})
                    dst.stop()
                else:
                    dom, dc, params, dst = self.migrate_daemon(
                        s, {libvirt.VIR_MIGRATE_PARAM_BANDWIDTH: 4})
                    sc = self.pair[s][self.mig_where[s]][0].connect()
                    mdom = sc.lookupByName("mig")
                    idle = rates(s, mdom)
                    err = []

                    def run():
                        try:
                            dom.migrate3(dc, params, libvirt.VIR_MIGRATE_LIVE)
                            err.append("migration completed before it was aborted")
                        except libvirt.libvirtError:
                            pass
                    th = threading.Thread(target=run)
                    th.start()
                    if not wait_until(lambda: mdom.jobInfo()[0] != libvirt.VIR_DOMAIN_JOB_NONE,
                                      30, 0.005):
                        raise RuntimeError("%s: the migration job did not start" % s)
                    busy = rates(s, mdom)
                    active = mdom.jobInfo()[0] != libvirt.VIR_DOMAIN_JOB_NONE
                    mdom.abortJob()
                    th.join(120)
                    if th.is_alive():
                        raise RuntimeError("%s: migration still running after abort" % s)
                    if err:
                        active = False
                    sc.close()
                if not active:
                    self.res.note("B3", "%s: the migration ended during the window "
                                  "(sample dropped)" % s)
                    continue
                if i >= 0:
                    for (name, r0), (_, r1) in zip(idle, busy):
                        self.res.add("B3", name + ": during / idle", s, r1 / r0, "×",
                                     higher=True)
                        self.res.add("B3", name + ": during migration", s, r1, "calls/s",
                                     higher=True)

    # ---- phase 3: fresh daemons, many domains ----

    def phase3(self):
        sysd = {k: self.new_daemon(k, k[0] + "s") for k in self.kinds}
        conn = {}
        for k in self.kinds:
            conn[k] = sysd[k].start()
        for k in self.kinds:
            self.res.add("B8", "RSS idle", k, sysd[k].rss_kib() / 1024, "MiB")
        self.guarded("B7", lambda: self.b7(sysd, conn))
        self.guarded("B12 starts, B8, B9", lambda: self.b12_starts_b9(sysd, conn))
        for k in self.kinds:
            sysd[k].stop()
            sysd[k].kill_guests()
        # A second pair of fresh daemons for the define scale.
        sysd = {k: self.new_daemon(k, k[0] + "d") for k in self.kinds}
        conn = {k: sysd[k].start() for k in self.kinds}
        self.guarded("B12 defines", lambda: self.b12_defines(sysd, conn))
        for k in self.kinds:
            sysd[k].stop()
            sysd[k].kill_guests()

    def b7(self, sysd, conn):
        count = self.cfg["b7_count"]
        for i in self.rounds(self.cfg["b7_n"]):
            for s in self.order(self.kinds, i):
                c = conn[s]
                names = [self.uniq("b7-") for _ in range(count)]
                xmls = [self.xml(n, mem_kib=65536) for n in names]
                t0 = now()
                doms = [c.defineXML(x) for x in xmls]
                t_def = now() - t0
                if i == 0:
                    self.res.add("B8", "RSS with %d defined" % count, s,
                                 sysd[s].rss_kib() / 1024, "MiB")
                t0 = now()
                lst = c.listAllDomains(0)
                for d in lst:
                    d.state()
                t_list = now() - t0
                if len(lst) != count:
                    raise RuntimeError("%s listed %d domains, not %d" % (s, len(lst), count))
                for d in doms:
                    d.undefine()
                if i >= 0:
                    self.res.add("B7", "define, per domain (%d)" % count, s,
                                 t_def * 1000 / count, "ms")
                    self.res.add("B7", "listAllDomains + state() of %d" % count, s,
                                 t_list * 1000, "ms")

    def start_paused(self, c, name):
        x = self.xml(name, mem_kib=65536)
        t0 = now()
        c.createXML(x, libvirt.VIR_DOMAIN_START_PAUSED)
        return now() - t0

    def b12_starts_b9(self, sysd, conn):
        started = {k: 0 for k in self.kinds}
        prev = 0
        b9_small_done = False
        for s in self.kinds:   # warm-up: the first start of a daemon probes QEMU
            self.start_paused(conn[s], "warm")
            conn[s].lookupByName("warm").destroy()
        for stage in self.cfg["b12_starts"]:
            for j in range(prev, stage):
                for s in self.order(self.kinds, j):
                    dt = self.start_paused(conn[s], "st%d" % j)
                    started[s] += 1
                    self.res.add("B12", "start paused (-S), guests %d..%d, per start"
                                 % (prev + 1, stage), s, dt * 1000, "ms")
            prev = stage
            if stage >= self.cfg["b9_small"] and not b9_small_done:
                b9_small_done = True
                self.grow(conn, started, self.cfg["b9_small"])
                for k in self.kinds:
                    self.res.add("B8", "RSS with %d running (paused) guests"
                                 % self.cfg["b9_small"], k, sysd[k].rss_kib() / 1024, "MiB")
                self.b9(sysd, conn, started)
        self.grow(conn, started, self.cfg["b9_big"])
        self.b9(sysd, conn, started)

    def grow(self, conn, started, want):
        """Kept for B9: add paused guests until WANT are running (not timed)."""
        for s in self.kinds:
            while started[s] < want:
                self.start_paused(conn[s], "st%d" % started[s])
                started[s] += 1

    def b9(self, sysd, conn, started):
        n = min(started.values())
        for i in range(self.cfg["b9_n"]):
            for s in self.order(self.kinds, i):
                d = sysd[s]
                conn[s].close()
                d.stop()
                t0 = now()
                d.spawn()
                deadline = time.monotonic() + 120
                while True:
                    try:
                        c = d.connect()
                        act = c.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)
                        if len(act) >= started[s]:
                            break
                        c.close()
                    except libvirt.libvirtError:
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError("%s: not all %d guests listed active after restart"
                                           % (s, started[s]))
                    # Bounded poll: the client has no other way to see recovery finish.
                    time.sleep(0.002)
                dt = now() - t0
                conn[s] = c
                self.res.add("B9", "restart → %d guests listed active" % n, s, dt * 1000, "ms")

    def b12_defines(self, sysd, conn):
        have = 0
        for stage in self.cfg["b12_defines"]:
            label = "define, domains %d..%d, per call" % (have + 1, stage)
            for j in range(have, stage, 10):
                for s in self.order(self.kinds, j // 10):
                    for m in range(j, min(j + 10, stage)):
                        x = self.xml("def%05d" % m, mem_kib=65536)
                        t0 = now()
                        conn[s].defineXML(x)
                        self.res.add("B12", label, s, (now() - t0) * 1000, "ms")
            have = stage
            for i in range(5):
                for s in self.order(self.kinds, i):
                    t0 = now()
                    lst = conn[s].listAllDomains(0)
                    self.res.add("B12", "listAllDomains (list --all) of %d" % stage, s,
                                 (now() - t0) * 1000, "ms")
                    if len(lst) != stage:
                        raise RuntimeError("%s listed %d, not %d" % (s, len(lst), stage))
        for k in self.kinds:
            self.res.add("B8", "RSS with %d defined" % have, k, sysd[k].rss_kib() / 1024, "MiB")

    # ---- the run ----

    def cleanup(self):
        for r in self.raws:
            try:
                r.stop()
            except Exception:
                pass
        for d in self.daemons:
            try:
                d.stop()
            except Exception:
                pass
            d.kill_guests()

    def run(self):
        t_start = now()
        phases = self.args.phases.split(",")
        try:
            if "1" in phases:
                self.guarded("phase 1", self.phase1)
            if "2" in phases:
                self.guarded("phase 2", self.phase2)
            if "3" in phases:
                self.guarded("phase 3", self.phase3)
        finally:
            self.cleanup()
        elapsed = now() - t_start
        data = {"samples": self.res.data, "notes": self.res.notes, "elapsed_s": elapsed,
                "quick": self.args.quick, "systems": self.kinds + ["raw"], "meta": self.args.meta}
        with open(self.args.json, "w") as f:
            json.dump(data, f, indent=1)
        missing = report.missing(data, phases)
        if self.args.report:
            report.write(data, self.args.meta, self.args.report)
        for m in missing:
            log("no numbers: %s" % m)
        log("elapsed %.0f s" % elapsed)
        return 1 if missing else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--qvirtd", required=True)
    ap.add_argument("--driver-dir", required=True)
    ap.add_argument("--libvirt", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--phases", default="1,2,3")
    ap.add_argument("--json", required=True)
    ap.add_argument("--report")
    ap.add_argument("--meta", default="{}", type=json.loads)
    args = ap.parse_args()

    def on_signal(signum, frame):
        raise SystemExit(1)   # runs the clean-up of Bench.run
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
