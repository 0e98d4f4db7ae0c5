#!/usr/bin/python3
"""bench/profile.py: instruction counts of qvirtd's hot paths (started by
`bench/run --profile`, or by `bench/run` after the benchmarks).

What it owns and its contract:
- Runs one session qvirtd in the foreground under
  `valgrind --tool=callgrind` in a private folder, drives it with
  python3-libvirt, and for each workload zeroes the counters
  (callgrind_control -z), runs N calls, dumps (callgrind_control -d) and
  reads the dump with callgrind_annotate --inclusive=yes.
- Workloads: (1) RPC dispatch of a no-op call (getLibVersion);
  (2) domain XML format (XMLDesc of a defined domain);
  (3) status write (resume + suspend of a paused running guest: each
  state change writes the status XML).
- Reports, per call: the daemon's instructions (all threads, event loop
  included) and the inclusive instructions of the named hot functions.
  Instruction counts do not depend on the machine's load, so they stay
  repeatable on a shared machine.
- Writes a Markdown fragment (--out). Stops the daemon and its guest by PID.
"""

import argparse
import glob
import os
import re
import signal
import subprocess
import sys
import time

import libvirt

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemons import Qvirtd, qemu_pids, stop_pid  # noqa: E402

libvirt.registerErrorHandler(lambda ctx, err: None, None)

FUNCS = ["rpc_server_client_message", "rpc_server_run_call", "rpc_message_encode",
         "qvirt_event_loop_update_fd_watch",
         "domain_def_format", "qemu_process_save_status", "domain_status_save",
         "domain_status_write"]


def annotate(path):
    """PROGRAM TOTALS and inclusive Ir per function of one callgrind dump."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path],
                         capture_output=True, text=True, check=True).stdout
    total = None
    funcs = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?PROGRAM TOTALS", line)
        if m:
            total = int(m.group(1).replace(",", ""))
            continue
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?\S*?:?([A-Za-z_][A-Za-z0-9_]*)\s", line + " ")
        if m and m.group(2) in FUNCS:
            funcs[m.group(2)] = max(funcs.get(m.group(2), 0), int(m.group(1).replace(",", "")))
    return total, funcs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--qvirtd", required=True)
    ap.add_argument("--driver-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("-n", type=int, default=200)
    args = ap.parse_args()
    n = args.n
    d = Qvirtd(args.workdir, "prof", os.path.join(args.workdir, "pids"), 46000,
               args.qvirtd, args.driver_dir)
    cgdir = os.path.join(d.dir, "cg")
    os.makedirs(cgdir)
    log = open(os.path.join(d.dir, "valgrind.log"), "w")
    # qvirtd in the build tree is libtool's wrapper script: follow its exec,
    # but not QEMU.
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--trace-children=yes",
                             "--trace-children-skip=*qemu-system*,*qemu-img*",
                             "--callgrind-out-file=%s/callgrind.out" % cgdir,
                             args.qvirtd, "--session", "--foreground",
                             "--pid-file", os.path.join(d.dir, "qvirtd.pid")],
                            env=d.env(), stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    with open(d.pidfile_all, "a") as f:
        f.write("%d\n" % proc.pid)
    d.pid = proc.pid
    rows = []
    try:
        conn = d.wait_serving(timeout=120)
        guest = os.path.join(args.workdir, "guest")
        with open(os.path.join(guest, "cmdline")) as f:
            cmdline = f.read().strip()
        xml = ("<domain type='qemu'><name>prof</name><memory unit='KiB'>65536</memory>"
               "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type>"
               "<kernel>%s/vmlinuz</kernel><initrd>%s/initrd.gz</initrd><cmdline>%s</cmdline>"
               "</os><devices><memballoon model='none'/></devices></domain>"
               % (guest, guest, cmdline))
        dom = conn.defineXML(xml)
        for _ in range(20):   # warm-up
            conn.getLibVersion()
            dom.XMLDesc(0)

        def measure(label, fn, calls_per_iter=1):
            subprocess.run(["callgrind_control", "--zero", str(proc.pid)], capture_output=True,
                           check=True)
            for _ in range(n):
                fn()
            before = set(glob.glob(cgdir + "/callgrind.out*"))
            subprocess.run(["callgrind_control", "--dump", str(proc.pid)], capture_output=True,
                           check=True)
            deadline = time.monotonic() + 60
            new = []
            while not new and time.monotonic() < deadline:
                new = sorted(set(glob.glob(cgdir + "/callgrind.out*")) - before)
                # Bounded poll: the dump is written asynchronously by the daemon.
                time.sleep(0.1)
            if not new:
                raise RuntimeError("no callgrind dump for %s" % label)
            time.sleep(0.5)
            total, funcs = annotate(new[-1])
            rows.append((label, n * calls_per_iter, total, funcs))

        measure("getLibVersion (no-op RPC)", conn.getLibVersion)
        measure("XMLDesc of a defined domain", lambda: dom.XMLDesc(0))
        dom.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)

        def flip():
            dom.resume()
            dom.suspend()
        measure("resume + suspend (2 status writes)", flip, 2)
        dom.destroy()
        conn.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for p in qemu_pids(d.dir):
            stop_pid(p, 5)
    vg = subprocess.run(["valgrind", "--version"], capture_output=True, text=True).stdout.strip()
    lines = ["## Profiles: callgrind instruction counts of qvirtd's hot paths", "",
             "`%s`, qvirtd built as `bench/run` builds it (the project's default flags); "
             "instructions (Ir) per call, counters zeroed before and dumped after %d calls "
             "of each workload. Instruction counts do not depend on the machine's load." % (vg, n),
             "", "| workload | calls | daemon Ir per call (all threads) | hot function: "
             "inclusive Ir per call |", "|---|---|---|---|"]
    for label, calls, total, funcs in rows:
        f = "; ".join("`%s` %s" % (k, "{:,}".format(v // calls)) for k, v in
                      sorted(funcs.items(), key=lambda kv: -kv[1]))
        lines.append("| %s | %d | %s | %s |" % (label, calls,
                                                "{:,}".format(total // calls) if total else "—",
                                                f or "—"))
    lines.append("")
    lines.append("`rpc_message_encode` is the reply's encoding; "
                 "`qvirt_event_loop_update_fd_watch` the event loop's watch "
                 "changes; `rpc_server_run_call` the whole call on the worker thread.")
    lines.append("")
    lines.append("perf: hardware counters are not supported in this container "
                 "(`perf stat -e instructions` says `<not supported>`), so no perf profile "
                 "is recorded; callgrind's counts replace it.")
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
