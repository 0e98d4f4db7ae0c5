"""bench/daemons.py: the two managed systems of the benchmarks, each a daemon
started by hand in a private folder.

What it owns and its contract:
- Qvirtd: a session qvirtd with its own XDG_* folders, qvirtd.conf (own
  host_uuid, warnings-only log file) and qemu.conf (own migration ports),
  as tests/integration/migration/lib.sh starts it.
- Libvirtd: Debian's libvirtd in session mode with its own XDG_* folders,
  libvirtd.conf (own host_uuid, warnings-only log file) and qemu.conf
  (stdio_handler file, no cgroups, no namespaces, no security driver, own
  migration ports). As root it runs as the user "nobody" (setpriv), because
  a root libvirtd is the system daemon with fixed /etc, /run and /var paths;
  its folder is handed to that user.
- start() returns once the daemon answers a connection; stop() sends
  SIGTERM to the daemon's PID (from its pid file) and waits, SIGKILL after
  30 s. QEMU processes of a daemon are left alone by stop() (as in a daemon
  restart); kill_guests() kills those whose command line names the
  daemon's folder or the bench folder guest, by PID.
- Every daemon PID is appended to the harness pid file.
"""

import os
import pwd
import signal
import subprocess
import time
import uuid

import libvirt


def pid_alive(pid):
    """True while PID exists and is not a zombie."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("State:"):
                    return "Z" not in line.split()[1]
    except OSError:
        return False
    return False


def pid_gone(pid):
    """True once /proc/PID is gone (reaped)."""
    return not os.path.exists("/proc/%d" % pid)


def wait_until(pred, timeout, step=0.002):
    """Bounded poll of PRED (for states that announce themselves nowhere)."""
    deadline = time.monotonic() + timeout
    while True:
        if pred():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(step)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def qemu_pids(token):
    """PIDs of live qemu-system processes whose command line contains TOKEN."""
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            exe = os.readlink("/proc/%s/exe" % p)
            if "qemu-system" not in exe:
                continue
            with open("/proc/%s/cmdline" % p, "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if token.encode() in cmd:
            out.append(int(p))
    return out


def stop_pid(pid, secs=30):
    if not pid_alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if not wait_until(lambda: not pid_alive(pid), secs, 0.005):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        wait_until(lambda: not pid_alive(pid), 10, 0.005)


class Daemon:
    kind = None

    def __init__(self, workdir, name, pidfile, port_lo):
        self.name = name
        self.dir = os.path.join(workdir, name)
        self.pidfile_all = pidfile
        self.port_lo = port_lo
        self.host_uuid = str(uuid.uuid4())
        self.pid = None
        os.makedirs(self.dir, exist_ok=True)

    def record_pid(self):
        with open(self.pidfile_all, "a") as f:
            f.write("%d\n" % self.pid)

    def connect(self):
        return libvirt.open(self.uri)

    def wait_serving(self, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                c = libvirt.open(self.uri)
                c.getLibVersion()
                return c
            except libvirt.libvirtError:
                if time.monotonic() > deadline:
                    raise
                # Bounded poll: a daemon's readiness has no other signal here.
                time.sleep(0.002)

    def start(self):
        self.spawn()
        return self.wait_serving()

    def stop(self):
        if self.pid:
            stop_pid(self.pid)
            self.pid = None

    def rss_kib(self):
        return rss_kib(self.pid)

    def kill_guests(self):
        for pid in qemu_pids(self.dir):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class Qvirtd(Daemon):
    kind = "qvirt"

    def __init__(self, workdir, name, pidfile, port_lo, qvirtd, driver_dir):
        super().__init__(workdir, name, pidfile, port_lo)
        self.qvirtd = qvirtd
        self.driver_dir = driver_dir
        d = self.dir
        for sub in ("run", "config/qvirt", "state"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        os.chmod(os.path.join(d, "run"), 0o700)
        with open(os.path.join(d, "config/qvirt/qvirtd.conf"), "w") as f:
            f.write("[daemon]\nhost_uuid = %s\nlog_level = 3\n"
                    "log_outputs = 3:file:%s/qvirtd.log\n" % (self.host_uuid, d))
        with open(os.path.join(d, "config/qvirt/qemu.conf"), "w") as f:
            f.write("[qemu]\nmigration_port_min = %d\nmigration_port_max = %d\n"
                    % (port_lo, port_lo + 9))
        self.uri = "qemu+unix:///session?socket=%s/run/qvirt/qvirt-sock" % d

    def env(self):
        d = self.dir
        env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
               "HOME": d, "XDG_RUNTIME_DIR": d + "/run", "XDG_CONFIG_HOME": d + "/config",
               "XDG_STATE_HOME": d + "/state", "QVIRT_DRIVER_DIR": self.driver_dir}
        return env

    def spawn(self):
        """Exec qvirtd; it returns once its sockets serve."""
        pf = os.path.join(self.dir, "qvirtd.pid")
        r = subprocess.run([self.qvirtd, "--session", "--pid-file", pf], env=self.env(),
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        if os.path.exists(pf):
            with open(pf) as f:
                self.pid = int(f.read().strip())
            self.record_pid()
        if r.returncode != 0:
            raise RuntimeError("qvirtd %s did not start: %s" % (self.name, r.stderr.decode()))

    def serial_path(self, dom):
        return "%s/state/qvirt/lib/qemu/domain-%s/console.log" % (self.dir, dom)


class Libvirtd(Daemon):
    kind = "libvirt"

    def __init__(self, workdir, name, pidfile, port_lo):
        super().__init__(workdir, name, pidfile, port_lo)
        d = self.dir
        for sub in ("run", "config/libvirt", "cache", "data"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        os.chmod(os.path.join(d, "run"), 0o700)
        with open(os.path.join(d, "config/libvirt/libvirtd.conf"), "w") as f:
            f.write('host_uuid = "%s"\nlog_outputs = "3:file:%s/libvirtd.log"\n'
                    % (self.host_uuid, d))
        with open(os.path.join(d, "config/libvirt/qemu.conf"), "w") as f:
            f.write('stdio_handler = "file"\nsecurity_driver = "none"\n'
                    'cgroup_controllers = [ ]\nnamespaces = [ ]\n'
                    'migration_port_min = %d\nmigration_port_max = %d\n'
                    % (port_lo, port_lo + 9))
        self.uri = "qemu+unix:///session?socket=%s/run/libvirt/libvirt-sock" % d
        self.user = None
        if os.geteuid() == 0:
            self.user = pwd.getpwnam("nobody")
            self.chown(d)

    def chown(self, path):
        """Hand PATH (recursively) to the daemon's user."""
        if not self.user:
            return
        os.chown(path, self.user.pw_uid, self.user.pw_gid)
        for root, dirs, files in os.walk(path):
            os.chown(root, self.user.pw_uid, self.user.pw_gid)
            for n in files:
                os.chown(os.path.join(root, n), self.user.pw_uid, self.user.pw_gid)

    def env(self):
        d = self.dir
        return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": d,
                "XDG_RUNTIME_DIR": d + "/run", "XDG_CONFIG_HOME": d + "/config",
                "XDG_CACHE_HOME": d + "/cache", "XDG_DATA_HOME": d + "/data"}

    def spawn(self):
        pf = os.path.join(self.dir, "run/libvirtd.pid")
        if os.path.exists(pf):
            os.unlink(pf)
        cmd = ["libvirtd", "-d", "-p", pf]
        if self.user:
            cmd = ["setpriv", "--reuid=%d" % self.user.pw_uid, "--regid=%d" % self.user.pw_gid,
                   "--clear-groups"] + cmd
        with open(os.path.join(self.dir, "libvirtd.out"), "ab") as log:
            r = subprocess.run(cmd, env=self.env(), stdin=subprocess.DEVNULL, stdout=log,
                               stderr=log, timeout=120)
        if r.returncode != 0:
            raise RuntimeError("libvirtd %s did not start (see %s/libvirtd.out)"
                               % (self.name, self.dir))
        if not wait_until(lambda: os.path.exists(pf) and os.path.getsize(pf) > 0, 60):
            raise RuntimeError("libvirtd %s wrote no pid file" % self.name)
        with open(pf) as f:
            self.pid = int(f.read().split()[0])
        self.record_pid()

    def serial_path(self, dom):
        return "%s/%s.console.log" % (self.dir, dom)
