## tests/interop: the stock virsh and libvirt-python against qvirtd, with the
## test driver and with the QEMU driver running the test guest (TAP shell
## scripts; skipped without virsh or QEMU).
TESTS += tests/interop/test-interop.sh tests/interop/test-interop-qemu.sh
EXTRA_DIST += tests/interop/test-interop.sh tests/interop/interop.py tests/interop/demo.xml \
	tests/interop/test-interop-qemu.sh
