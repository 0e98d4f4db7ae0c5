## tests/qemumonitor: the monitor suite (test-qemumonitor), driven through the
## scripted fake QEMU of tests/qemumonitortest.[ch], which other QEMU suites
## may link too (libqvirtqemutest.la).
check_LTLIBRARIES += libqvirtqemutest.la
libqvirtqemutest_la_SOURCES = tests/qemumonitortest.c tests/qemumonitortest.h
libqvirtqemutest_la_LIBADD = libqvirtqemu.la libqvirttest.la $(GLIB_LIBS) $(JSONC_LIBS)

check_PROGRAMS += tests/qemumonitor/test-qemumonitor
TESTS += tests/qemumonitor/test-qemumonitor
tests_qemumonitor_test_qemumonitor_SOURCES = \
	tests/qemumonitor/main.c tests/qemumonitor/suites.h \
	tests/qemumonitor/fixture.c tests/qemumonitor/fixture.h \
	tests/qemumonitor/test-core.c \
	tests/qemumonitor/test-json.c \
	tests/qemumonitor/test-text.c \
	tests/qemumonitor/test-fakeserver.c \
	tests/qemumonitor/test-caps.c \
	tests/qemumonitor/test-domain.c
tests_qemumonitor_test_qemumonitor_LDADD = libqvirtqemutest.la libqvirtqemu.la libqvirtconf.la \
	$(TEST_LIBS)

## tests/qemucapabilities: capability fixtures recorded from the installed
## QEMU by tools/record-qemu-caps, which runs qemucapsprobe.
check_PROGRAMS += tests/qemucapabilities/qemucapsprobe
tests_qemucapabilities_qemucapsprobe_SOURCES = tests/qemucapabilities/qemucapsprobe.c
tests_qemucapabilities_qemucapsprobe_LDADD = libqvirtqemu.la $(TEST_LIBS)
# Listed one by one: tests/qemucapabilities is also a build folder, and a
# folder in EXTRA_DIST would be copied from there, objects and all.
EXTRA_DIST += tools/record-qemu-caps \
	tests/qemucapabilities/qmp-schema.json \
	tests/qemucapabilities/caps.x86_64.tcg.json \
	tests/qemucapabilities/caps.x86_64.kvm.json \
	tests/qemucapabilities/caps.x86_64.xml
# The corpus files one by one: run-fuzzers fills $(builddir)/fuzz/corpus-qmp.
EXTRA_DIST += fuzz/fuzz-qmp.c \
	fuzz/corpus-qmp/error-reply.txt \
	fuzz/corpus-qmp/events.txt \
	fuzz/corpus-qmp/greeting.txt \
	fuzz/corpus-qmp/hmp.txt \
	fuzz/corpus-qmp/reply-and-event.txt \
	fuzz/corpus-qmp/truncated.txt
EXTRA_DIST += fuzz/qmp.dict
