#!/usr/bin/env bash
# scripts/setup's decisions, with stand-ins for id, sudo, dpkg-query, apt-get and
# debconf-set-selections on the PATH (nothing is installed): as root, as a user with sudo, as a
# user without it, with everything present, per level, with either JACK, and off Debian.
# Usage: setup_test.sh PATH/TO/scripts/setup
set -uo pipefail
SETUP="$1"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

# A PATH of stand-ins plus the few real tools the script uses (grep, env).
make_path() { # $1 = with sudo (1/0)
    local bin="$WORK/bin$1"
    rm -rf "$bin"
    mkdir -p "$bin"
    ln -s "$(command -v grep)" "$bin/grep"
    ln -s "$(command -v env)" "$bin/env"
    cat >"$bin/id" <<'EOS'
#!/bin/bash
[ "$1" = -u ] && echo "$FAKE_UID"
EOS
    cat >"$bin/dpkg-query" <<'EOS'
#!/bin/bash
pkg="${!#}"
for p in $FAKE_INSTALLED; do
    if [ "$p" = "$pkg" ] || [ "$p" = ALL ]; then echo "install ok installed"; exit 0; fi
done
exit 1
EOS
    # shellcheck disable=SC2016 # the stand-ins expand their own variables
    printf '#!/bin/bash\necho "apt-get $*" >>"$FAKE_LOG"\n' >"$bin/apt-get"
    # shellcheck disable=SC2016
    printf '#!/bin/bash\necho "debconf-set-selections" >>"$FAKE_LOG"\n' >"$bin/debconf-set-selections"
    if [ "$1" = 1 ]; then
        # shellcheck disable=SC2016
        printf '#!/bin/bash\necho "sudo $1" >>"$FAKE_LOG"\nexec "$@"\n' >"$bin/sudo"
    fi
    chmod +x "$bin"/*
    echo "$bin"
}
WITH_SUDO="$(make_path 1)"
WITHOUT_SUDO="$(make_path 0)"
printf 'ID=debian\nVERSION_ID="12"\n' >"$WORK/debian"
printf 'ID=linuxmint\nID_LIKE="ubuntu debian"\n' >"$WORK/mint"
printf 'ID=fedora\nID_LIKE="rhel centos"\n' >"$WORK/fedora"

# run_setup NAME UID PATHDIR INSTALLED OS LEVEL: runs setup, keeps its status, output and log.
run_setup() {
    : >"$WORK/log"
    FAKE_UID="$2" FAKE_INSTALLED="$4" FAKE_LOG="$WORK/log" TORCHESTRA_OS_RELEASE="$WORK/$5" \
        PATH="$3" /bin/bash "$SETUP" "$6" >"$WORK/out" 2>&1
    status=$?
    out="$(cat "$WORK/out")"
    log="$(cat "$WORK/log")"
}

check() { # check NAME CONDITION-RESULT(0/1) WHAT
    if [ "$2" = 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $1: $3"
        echo "  status $status; output: $out"
        echo "  log: $log"
    fi
}
has() { [[ "$1" == *"$2"* ]] && echo 0 || echo 1; }
lacks() { [[ "$1" != *"$2"* ]] && echo 0 || echo 1; }

run_setup root 0 "$WITHOUT_SUDO" "" debian test
check root "$([ $status = 0 ] && echo 0 || echo 1)" "exit 0"
check root "$(has "$log" "apt-get update -qq")" "apt-get update runs"
check root "$(has "$log" "apt-get install -y -qq libopenblas0-openmp")" "installs as root"
check root "$(has "$log" " libgloo-dev")" "the Gloo headers distributed training builds with"
check root "$(lacks "$log" "sudo")" "no sudo as root"
check root "$(has "$log" " jackd1")" "jackd1 when no JACK is installed"
check root "$(has "$log" "debconf-set-selections")" "answers jackd's question"

run_setup sudo-user 1000 "$WITH_SUDO" "" debian test
check sudo-user "$([ $status = 0 ] && echo 0 || echo 1)" "exit 0"
check sudo-user "$(has "$log" "sudo apt-get")" "apt-get update through sudo"
check sudo-user "$(has "$log" "sudo env")" "apt-get install through sudo"
check sudo-user "$(has "$log" "apt-get install -y -qq")" "installs"

run_setup no-sudo 1000 "$WITHOUT_SUDO" "" debian test
check no-sudo "$([ $status = 1 ] && echo 0 || echo 1)" "exit 1"
check no-sudo "$(has "$out" "not root and no sudo here")" "says why"
check no-sudo "$(has "$out" "apt-get update && apt-get install -y libopenblas0-openmp")" \
    "says what to run"
check no-sudo "$([ -z "$log" ] && echo 0 || echo 1)" "runs nothing"

run_setup present 1000 "$WITHOUT_SUDO" "ALL" debian test
check present "$([ $status = 0 ] && echo 0 || echo 1)" "exit 0"
check present "$(has "$out" "packages for 'test' present")" "says all present"
check present "$([ -z "$log" ] && echo 0 || echo 1)" "installs nothing, needs no sudo"

run_setup run-level 0 "$WITHOUT_SUDO" "" debian run
check run-level "$(has "$log" "timgm6mb-soundfont")" "run needs a SoundFont"
check run-level "$(lacks "$log" "libtorch-dev")" "run installs no -dev package"
check run-level "$(lacks "$log" "jackd")" "run installs no JACK"
check run-level "$(lacks "$log" "python3-torch")" "run installs no test tools"

run_setup build-level 0 "$WITHOUT_SUDO" "" debian build
check build-level "$(has "$log" "libtorch-dev")" "build installs -dev packages"
check build-level "$(lacks "$log" "python3-torch")" "build installs no test tools"
check build-level "$(lacks "$log" "libgtest-dev")" "build installs no test libraries"

run_setup jackd2 0 "$WITHOUT_SUDO" "jackd2" debian test
check jackd2 "$(lacks "$log" "jackd1")" "keeps the installed jackd2"
check jackd2 "$(lacks "$log" "debconf-set-selections")" "asks jackd nothing"

run_setup derivative 0 "$WITHOUT_SUDO" "" mint build
check derivative "$([ $status = 0 ] && echo 0 || echo 1)" "a Debian derivative installs"

run_setup fedora 0 "$WITHOUT_SUDO" "" fedora test
check fedora "$([ $status = 1 ] && echo 0 || echo 1)" "exit 1"
check fedora "$(has "$out" "this system is 'fedora', not Debian or Ubuntu")" "says why"
check fedora "$(has "$out" "libtorch-dev")" "lists what is needed"
check fedora "$([ -z "$log" ] && echo 0 || echo 1)" "runs nothing"

run_setup bad-level 0 "$WITHOUT_SUDO" "" debian everything
check bad-level "$([ $status = 2 ] && echo 0 || echo 1)" "refuses an unknown level"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
