#!/bin/sh
# src/rpc/rpcgen.sh RPCGEN IN.x OUTBASE: compile one protocol definition with
# rpcgen into OUTBASE.h (types, prototypes) and OUTBASE.c (the xdr_*
# functions). rpcgen runs in the folder of IN.x, on its bare name, so the
# output does not depend on where the source tree is; the generated
# '#include "NAME.h"' is then rewritten to '#include "rpc/NAME.h"', the form
# every qvirt file uses (the build adds -I for the folder above). Used by the
# build (src/rpc/rpc.mk) and by tools/build-fuzzers.
set -eu

if [ $# -ne 3 ]; then
    echo "usage: $0 RPCGEN IN.x OUTBASE" >&2
    exit 2
fi
rpcgen=$1
in=$2
out=$3
case $out in
/*) ;;
*) out=$(pwd)/$out ;;
esac
dir=$(dirname "$in")
name=$(basename "$in")
base=${name%.x}

# rpcgen names the include guard after the output file: write under the
# final name in a private folder, then move into place.
tmp=$(mktemp -d "$out.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
outname=$(basename "$out")
(cd "$dir" && "$rpcgen" -h -o "$tmp/$outname.h" "$name")
(cd "$dir" && "$rpcgen" -c -o "$tmp/gen.c" "$name")
sed -e "s|^#include \"$base\\.h\"|#include \"rpc/$base.h\"|" "$tmp/gen.c" >"$tmp/$outname.c"
if ! grep -q "^#include \"rpc/$base\\.h\"" "$tmp/$outname.c"; then
    echo "$0: unexpected rpcgen output for $in" >&2
    exit 1
fi
mv "$tmp/$outname.h" "$out.h"
mv "$tmp/$outname.c" "$out.c"
