#!/bin/sh
# src/rpc/rpcgen.sh RPCGEN IN.x OUT: compile one protocol definition with
# rpcgen into OUT, the header (OUT ends in .h: types, constants, prototypes)
# or the XDR functions (OUT ends in .c). rpcgen runs in the folder of IN.x
# on its bare name, so the output does not depend on where the source tree
# is; the C file's '#include "NAME.h"' becomes '#include "rpc/NAME.h"', the
# form every qvirt file uses. Used by the build (src/rpc/rpc.mk) and by
# tools/build-fuzzers.
set -eu

if [ $# -ne 3 ]; then
    echo "usage: $0 RPCGEN IN.x OUT.h|OUT.c" >&2
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
outname=$(basename "$out")

# rpcgen names the include guard after the output file: write under the
# final name in a private folder, then move into place (atomically, so two
# runs at once do no harm).
tmp=$(mktemp -d "$out.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
case $outname in
*.h)
    (cd "$dir" && "$rpcgen" -h -o "$tmp/$outname" "$name")
    ;;
*.c)
    (cd "$dir" && "$rpcgen" -c -o "$tmp/gen.c" "$name")
    sed -e "s|^#include \"$base\\.h\"|#include \"rpc/$base.h\"|" "$tmp/gen.c" >"$tmp/$outname"
    if ! grep -q "^#include \"rpc/$base\\.h\"" "$tmp/$outname"; then
        echo "$0: unexpected rpcgen output for $in" >&2
        exit 1
    fi
    ;;
*)
    echo "$0: $out must end in .h or .c" >&2
    exit 2
    ;;
esac
mv "$tmp/$outname" "$out"
