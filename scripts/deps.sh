# Sourced by scripts/check and scripts/demo: installs the Debian packages the
# build, the tests and the demo need, and nothing when they are all present.
IOTREG_PACKAGES="build-essential autoconf automake libtool autoconf-archive pkg-config
libssl-dev openssl libcurl4-openssl-dev libxml2-dev libxml2-utils libjansson-dev
libsqlite3-dev sqlite3 libpq-dev postgresql-15 libp11-kit-dev p11-kit libcunit1-dev softhsm2 opensc
python3 python3-botocore python3-boto3 python3-cryptography awscli
mosquitto-clients python3-paho-mqtt
prometheus
ca-certificates procps curl binutils mandoc gnutls-bin
clang-14 libclang-rt-14-dev llvm-14"
# Only for building and checking the Debian packages (scripts/packages,
# scripts/check --packages): debhelper (with dh-autoreconf) and lintian.
IOTREG_DEB_PACKAGES="dpkg-dev debhelper dh-autoreconf lintian"

iotreg_install_deps() {
    local missing=""
    local pkg
    for pkg in $IOTREG_PACKAGES; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
            missing="$missing $pkg"
    done
    [ -z "$missing" ] && return 0
    echo "installing Debian packages:$missing"
    if [ "$(id -u)" != 0 ]; then
        echo "error: these packages are missing and installing them needs root:$missing" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || return 1
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null || return 1
}
