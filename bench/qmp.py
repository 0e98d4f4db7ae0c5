"""bench/qmp.py: the raw-QEMU side of the benchmarks.

What it owns and its contract:
- Qmp: a minimal QMP client over a UNIX socket (greeting, qmp_capabilities,
  one command at a time, events kept in a list). Errors raise QmpError.
- RawQemu: one qemu-system-x86_64 process started directly (no manager),
  with the same guest as the daemons get (TCG, machine pc, direct kernel
  boot, serial console to a file, QMP on a socket). It is our child: stop()
  kills it by PID and reaps it. Every PID started is appended to the
  harness's pid file so that bench/run's exit trap can stop it too.
"""

import json
import os
import signal
import socket
import subprocess
import time


class QmpError(Exception):
    pass


class Qmp:
    def __init__(self, path, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise QmpError("cannot connect to QMP socket %s" % path)
                # Bounded poll: QEMU announces its socket in no other way.
                time.sleep(0.002)
        self.sock = s
        self.buf = b""
        self.events = []
        greeting = self._read()
        if "QMP" not in greeting:
            raise QmpError("no QMP greeting on %s" % path)
        self.cmd("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise QmpError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def send_raw(self, text):
        """Send one JSON command given as text, return the reply object."""
        self.sock.sendall(text.encode() + b"\n")
        while True:
            msg = self._read()
            if "event" in msg:
                self.events.append(msg)
                continue
            return msg

    def cmd(self, execute, **args):
        req = {"execute": execute}
        if args:
            req["arguments"] = args
        reply = self.send_raw(json.dumps(req))
        if "error" in reply:
            raise QmpError("%s: %s" % (execute, reply["error"].get("desc")))
        return reply.get("return")

    def wait_event(self, names, timeout=60.0):
        """Wait for the first event whose name is in NAMES; return it."""
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev["event"] in names:
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise QmpError("no event %s within %.0f s" % (names, timeout))
            self.sock.settimeout(left)
            try:
                msg = self._read()
            except socket.timeout:
                continue
            finally:
                self.sock.settimeout(None)
            if "event" in msg:
                self.events.append(msg)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def qemu_args(guest, name, mem_kib, dirty_mb, serial, qmp_path, paused=False,
              incoming=None, disk=None):
    """The command line of the raw-QEMU guest (the same guest the daemons run)."""
    with open(os.path.join(guest, "cmdline")) as f:
        cmdline = f.read().strip()
    cmdline = " ".join(w for w in cmdline.split() if not w.startswith("dirty_mb="))
    cmdline += " dirty_mb=%d" % dirty_mb
    args = ["qemu-system-x86_64", "-name", "guest=%s" % name,
            "-machine", "pc,accel=tcg", "-cpu", "qemu64", "-m", "size=%dk" % mem_kib,
            "-smp", "1", "-nodefaults", "-no-user-config", "-display", "none",
            "-kernel", os.path.join(guest, "vmlinuz"),
            "-initrd", os.path.join(guest, "initrd.gz"), "-append", cmdline,
            "-qmp", "unix:%s,server=on,wait=off" % qmp_path]
    if serial:
        args += ["-serial", "file:%s" % serial]
    if disk:
        args += ["-blockdev", "driver=file,filename=%s,node-name=f0" % disk,
                 "-blockdev", "driver=qcow2,file=f0,node-name=d0",
                 "-device", "virtio-blk-pci,drive=d0,id=vda"]
    if paused:
        args.append("-S")
    if incoming:
        args += ["-incoming", incoming]
    return args


class RawQemu:
    def __init__(self, workdir, pidfile, guest, name, mem_kib=262136, dirty_mb=0,
                 serial=True, paused=False, incoming=None, disk=None):
        self.dir = os.path.join(workdir, "raw-" + name)
        os.makedirs(self.dir, exist_ok=True)
        self.qmp_path = os.path.join(self.dir, "qmp.sock")
        self.serial = os.path.join(self.dir, "console.log") if serial else None
        if os.path.exists(self.qmp_path):
            os.unlink(self.qmp_path)
        self.args = qemu_args(guest, name, mem_kib, dirty_mb, self.serial, self.qmp_path,
                              paused=paused, incoming=incoming, disk=disk)
        self.pidfile = pidfile
        self.proc = None
        self.qmp = None

    def start(self):
        """Exec QEMU and connect to its monitor (returns when QMP answers)."""
        log = open(os.path.join(self.dir, "qemu.log"), "ab")
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=log, cwd=self.dir)
        log.close()
        with open(self.pidfile, "a") as f:
            f.write("%d\n" % self.proc.pid)
        self.qmp = Qmp(self.qmp_path)
        return self

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        """SIGTERM, then SIGKILL after 10 s; reaped."""
        if self.qmp:
            self.qmp.close()
            self.qmp = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
