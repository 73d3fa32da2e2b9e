#!/usr/bin/env bash
# Installs the Debian packages the sandbox needs, when missing and when we are root:
#   serve: bubblewrap (local backend), libseccomp2 (its seccomp filter), python3 +
#          python3-pytest, git, patch (run inside it), g++ (code_tests' C++)
#   test:  the above, plus docker.io and debootstrap (a real engine and a registry-free image)
#          and chromium (the dashboard driven in a headless browser)
# Not root: says what is missing; the service then reports the backend unavailable.
set -euo pipefail

declare -A package_of=(
    [bwrap]=bubblewrap [prlimit]=util-linux [setpriv]=util-linux
    [/usr/bin/python3]=python3 [git]=git [patch]=patch [g++]=g++
    [dockerd]=docker.io [debootstrap]=debootstrap [chromium]=chromium
)
commands=(bwrap prlimit setpriv /usr/bin/python3 git patch g++)
[[ "${1:-serve}" == test ]] && commands+=(dockerd debootstrap chromium)

missing=()
for command in "${commands[@]}"; do
    command -v "$command" >/dev/null 2>&1 || missing+=("${package_of[$command]}")
done
/usr/bin/python3 -c 'import pytest' >/dev/null 2>&1 || missing+=(python3-pytest)
# The seccomp filter of the local backend is built with libseccomp (pyseccomp, ctypes).
ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || missing+=(libseccomp2)
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
    echo "reward-server: missing system packages: ${missing[*]} (install them as root;" \
        "until then the sandbox backends that need them report unavailable)" >&2
    exit 0
fi
echo "reward-server: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
