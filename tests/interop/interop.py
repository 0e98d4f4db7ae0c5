#!/usr/bin/python3
# interop.py: libvirt-python against qvirtd (test driver): the core flows
# and event callbacks (lifecycle, migration iteration, job completed) on
# libvirt's default event loop, run by
# test-interop.sh. Usage: interop.py URI DOMAIN-XML-FILE. Exits non-zero
# with a message on the first failed check.
import sys
import threading

import libvirt
import libvirt_qemu


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    uri, xml_path = sys.argv[1], sys.argv[2]
    libvirt.virEventRegisterDefaultImpl()
    stop = threading.Event()

    def run_loop():
        while not stop.is_set():
            libvirt.virEventRunDefaultImpl()

    loop = threading.Thread(target=run_loop, daemon=True)
    loop.start()

    conn = libvirt.open(uri)
    if conn is None:
        fail("cannot open " + uri)

    events = []
    got = threading.Condition()

    def on_lifecycle(conn_, dom, event, detail, opaque):
        with got:
            events.append((dom.name(), event, detail))
            got.notify_all()

    cb = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                     on_lifecycle, None)

    names = [d.name() for d in conn.listAllDomains()]
    if "test" not in names:
        fail("listAllDomains: %r" % names)
    if conn.getType() == "" or conn.getHostname() == "":
        fail("getType/getHostname empty")

    with open(xml_path) as f:
        xml = f.read()
    # The shell part may have left it defined if it failed half-way.
    try:
        conn.lookupByName("demo").undefine()
    except libvirt.libvirtError:
        pass
    dom = conn.defineXML(xml)
    if dom.name() != "demo" or dom.isActive():
        fail("defineXML")
    dom.create()
    state, _ = dom.state()
    if state != libvirt.VIR_DOMAIN_RUNNING:
        fail("state after create: %d" % state)
    info = dom.info()
    if info[0] != libvirt.VIR_DOMAIN_RUNNING or info[3] != 2:
        fail("info: %r" % (info,))
    if "<name>demo</name>" not in dom.XMLDesc(0):
        fail("XMLDesc")
    # A manual fake job (test driver): migration iteration events at each
    # step, a job completed event with its statistics at 100 %.
    iterations = []
    completed = []

    def on_iteration(conn_, dom_, iteration, opaque):
        with got:
            iterations.append(iteration)
            got.notify_all()

    def on_completed(conn_, dom_, params, opaque):
        with got:
            completed.append(params)
            got.notify_all()

    cb_it = conn.domainEventRegisterAny(
        dom, libvirt.VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION, on_iteration, None)
    cb_done = conn.domainEventRegisterAny(
        dom, libvirt.VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, on_completed, None)
    libvirt_qemu.qemuMonitorCommand(
        dom, '{"execute":"x-fake-job","arguments":{"seconds":0}}', 0)
    stats = dom.jobStats()
    if stats.get("type") != libvirt.VIR_DOMAIN_JOB_UNBOUNDED:
        fail("jobStats while running: %r" % stats)
    for _ in range(2):
        libvirt_qemu.qemuMonitorCommand(
            dom, '{"execute":"x-fake-job-step","arguments":{"percent":50}}', 0)
    with got:
        if not got.wait_for(lambda: completed and iterations, timeout=30):
            fail("job events: iterations %r, completed %r" % (iterations, completed))
    if "operation" not in completed[0] and "time_elapsed" not in completed[0]:
        fail("job completed statistics: %r" % completed[0])
    conn.domainEventDeregisterAny(cb_it)
    conn.domainEventDeregisterAny(cb_done)

    dom.suspend()
    if dom.state()[0] != libvirt.VIR_DOMAIN_PAUSED:
        fail("suspend")
    dom.resume()
    dom.destroy()
    if dom.isActive():
        fail("destroy")

    try:
        conn.lookupByName("nosuch")
        fail("lookupByName(nosuch) succeeded")
    except libvirt.libvirtError as e:
        if e.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
            fail("lookup error code %d" % e.get_error_code())
        if not str(e).startswith("Domain not found: "):
            fail("lookup error message: %s" % e)

    # The callback saw started, suspended, resumed and stopped.
    want = [(libvirt.VIR_DOMAIN_EVENT_STARTED, libvirt.VIR_DOMAIN_EVENT_STARTED_BOOTED),
            (libvirt.VIR_DOMAIN_EVENT_SUSPENDED, libvirt.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
            (libvirt.VIR_DOMAIN_EVENT_RESUMED, libvirt.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED),
            (libvirt.VIR_DOMAIN_EVENT_STOPPED, libvirt.VIR_DOMAIN_EVENT_STOPPED_DESTROYED)]

    def seen():
        mine = [(e, d) for (n, e, d) in events if n == "demo"]
        return all(w in mine for w in want)

    with got:
        if not got.wait_for(seen, timeout=30):
            fail("events: %r" % events)

    dom.undefine()
    conn.domainEventDeregisterAny(cb)
    conn.close()
    stop.set()
    # Wake the loop (it may wait with nothing due) and let its thread end
    # before the interpreter finalizes: libvirt's GLib event loop still
    # running during finalization once crashed the process after "ok".
    libvirt.virEventAddTimeout(
        0, lambda timer, opaque: libvirt.virEventRemoveTimeout(timer), None)
    loop.join(10)
    if loop.is_alive():
        fail("the event loop thread did not stop")
    print("ok")


main()
