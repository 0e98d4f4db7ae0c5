# tools/deps.sh: the Debian packages qvirt needs, and a function that installs
# the missing ones. Sourced by tools/check and tools/quickstart.

QVIRT_BUILD_PACKAGES="build-essential autoconf automake libtool autopoint gettext pkg-config
 libglib2.0-dev libxml2-dev libjson-c-dev libgnutls28-dev libnl-3-dev libnl-route-3-dev
 libtirpc-dev rpcsvc-proto xz-utils"
QVIRT_RUN_PACKAGES="qemu-system-x86 qemu-utils busybox-static cpio"
QVIRT_TEST_PACKAGES="clang libclang-rt-14-dev libxml2-utils libvirt-clients python3-libvirt
 gnutls-bin iproute2 git"

# qvirt_install_packages PKG...: apt-get install those not yet installed.
qvirt_install_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "qvirt: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
        return 1
    fi
    echo "qvirt: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || return 1
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 1
}

# qvirt_build BUILDDIR [CONFIGURE-ARGS...]: configure (once) and build.
qvirt_build() {
    local builddir=$1; shift
    local top; top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    if [ ! -x "$top/configure" ] || [ "$top/configure.ac" -nt "$top/configure" ]; then
        (cd "$top" && autoreconf -fi >/dev/null) || return 1
    fi
    mkdir -p "$builddir"
    if [ ! -f "$builddir/config.status" ]; then
        (cd "$builddir" && "$top/configure" -q "$@") || return 1
    fi
    make -C "$builddir" -j"$(nproc)" -s >/dev/null || return 1
}
