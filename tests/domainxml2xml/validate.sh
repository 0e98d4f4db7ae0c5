#!/bin/sh
# validate.sh: check every expected output of tests/domainxml2xml against
# libvirt's published domain schema with virt-xml-validate (Debian package
# libvirt-clients). test-domainxml2xml asserts that qvirt formats exactly
# these files, so this checks what qvirt writes. Speaks TAP; skips cleanly
# when the tool is missing (tools/check installs it).
srcdir=${QVIRT_TEST_SRCDIR:-$(dirname "$0")/..}
data="$srcdir/domainxml2xml/data"

if ! command -v virt-xml-validate >/dev/null 2>&1; then
    echo "1..0 # SKIP virt-xml-validate not installed (Debian package libvirt-clients)"
    exit 0
fi

files=$(ls "$data"/*.out.xml 2>/dev/null)
if [ -z "$files" ]; then
    echo "1..1"
    echo "not ok 1 - no *.out.xml fixtures found in $data"
    exit 1
fi

n=0
for f in $files; do
    n=$((n + 1))
done
echo "1..$n"

i=0
status=0
for f in $files; do
    i=$((i + 1))
    name=$(basename "$f")
    if out=$(virt-xml-validate "$f" domain 2>&1); then
        echo "ok $i - $name"
    else
        echo "not ok $i - $name"
        printf '%s\n' "$out" | sed 's/^/# /'
        status=1
    fi
done
exit $status
