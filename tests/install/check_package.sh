#!/usr/bin/env bash
# The .deb as a user gets it: CPack builds it from this build tree, its contents and control
# fields are checked (dpkg-deb), and it is unpacked into a scratch root (dpkg -x, nothing is
# installed on this machine) where the installed CLI must run, list and use its built-in models
# and find a SoundFont from its own prefix, from another working directory.
# Usage: check_package.sh BUILD_DIR WORK_DIR
set -uo pipefail
BUILD="$1"
WORK="$2"
rm -rf "$WORK"
mkdir -p "$WORK"
passed=0
failed=0

check() { # check NAME CONDITION-RESULT(0/1) DETAIL
    if [ "$2" = 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $1: $3"
    fi
}
finish() {
    echo "package: $passed passed, $failed failed"
    [ "$failed" = 0 ]
    exit
}

cpack -G DEB -B "$WORK/out" --config "$BUILD/CPackConfig.cmake" >"$WORK/cpack.log" 2>&1
check "cpack builds the .deb" $? "$(tail -20 "$WORK/cpack.log")"
debs=("$WORK"/out/*.deb)
[ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ]
check "one .deb" $? "${debs[*]}"
[ "$failed" = 0 ] || finish
deb="${debs[0]}"
echo "package: $(basename "$deb"), $(du -h "$deb" | cut -f1)"

# What it holds.
dpkg-deb -c "$deb" | awk '{print $NF}' >"$WORK/contents"
for path in usr/bin/torchestra usr/bin/torchestra-cli \
    usr/share/applications/torchestra.desktop \
    usr/share/icons/hicolor/16x16/apps/torchestra.png \
    usr/share/icons/hicolor/256x256/apps/torchestra.png \
    usr/share/icons/hicolor/scalable/apps/torchestra.svg \
    usr/share/mime/packages/torchestra.xml \
    usr/share/bash-completion/completions/torchestra-cli \
    usr/share/torchestra/soundfonts/README.md \
    usr/share/torchestra/models/bach-nade.tcm usr/share/torchestra/models/bach-gan.tcm \
    usr/share/torchestra/models/bach-markov.tcm usr/share/torchestra/models/README.md \
    usr/share/doc/torchestra/copyright usr/share/doc/torchestra/LICENSE; do
    grep -qx "./$path" "$WORK/contents"
    check "holds /$path" $? "dpkg-deb -c lists: $(tr '\n' ' ' <"$WORK/contents")"
done
! grep -E '_tests$|/include/|\.a$|CMakeFiles' "$WORK/contents"
check "holds nothing of the build or the tests" $? "see above"

# Its control fields: Debian's package names, from dpkg-shlibdeps and the list in CMake.
[ "$(dpkg-deb -f "$deb" Package)" = torchestra ]
check "Package" $? "$(dpkg-deb -f "$deb" Package)"
depends="$(dpkg-deb -f "$deb" Depends)"
for pkg in libqt6widgets6 libqt6charts6 libfluidsynth3 librtmidi6 libtorch libc6 \
    qt6-qpa-plugins timgm6mb-soundfont; do
    [[ ", $depends" == *", $pkg"* ]] || [[ "$depends" == *"| $pkg"* ]]
    check "Depends on $pkg" $? "Depends: $depends"
done

# Unpacked into a scratch root and run from elsewhere, with no remembered SoundFont.
dpkg -x "$deb" "$WORK/root"
cli="$WORK/root/usr/bin/torchestra-cli"
run() { (cd / && TORCHESTRA_CONFIG_DIR="$WORK/config" XDG_DATA_HOME="$WORK/data" "$@"); }
out="$(run "$cli" --version 2>&1)"
[[ "$out" == "torchestra-cli "[0-9]* ]]
check "the installed CLI runs --version" $? "$out"
out="$(QT_QPA_PLATFORM=offscreen run "$WORK/root/usr/bin/torchestra" --version 2>&1)"
[[ "$out" == *"Torchestra "[0-9]* ]]
check "the installed workstation runs --version" $? "$out"

# The built-in models, found by the installed CLI from its own prefix.
models="$WORK/root/usr/share/torchestra/models"
out="$(run "$cli" models 2>&1)"
status=$?
[ $status = 0 ] && grep -q "^built in ($models/):" <<<"$out" &&
    grep -q "^  builtin:bach-nade  *LSTM" <<<"$out" && grep -q "^  builtin:bach-gan  *GAN" <<<"$out" &&
    grep -q "^  builtin:bach-markov  *MARKOV" <<<"$out"
check "the installed CLI lists its built-in models" $? "$out"
printf 'MThd\0\0\0\6\0\0\0\1\0\140MTrk\0\0\0\14\0\220\74\144\140\200\74\100\0\377\57\0' \
    >"$WORK/prime.mid"
out="$(run "$cli" generate --model builtin:bach-nade --prime "$WORK/prime.mid" --bars 4 \
    --out "$WORK/take.mid" 2>&1)"
status=$?
[ $status = 0 ] && [ -s "$WORK/take.mid" ]
check "the installed CLI generates with builtin:bach-nade" $? "$out"

own="$WORK/root/usr/share/torchestra/soundfonts"
out="$(run "$cli" soundfonts 2>&1)"
status=$?
[ $status = 0 ] && grep -qx "  $own/" <<<"$out"
check "the installed CLI looks in its own soundfonts/ folder and finds one" $? "$out"
system="$(sed -n 's/^SoundFont: //p' <<<"$out")"
if [ -n "$system" ]; then
    # A SoundFont put in the package's own folder is the one used.
    ln -s "$system" "$own/Own.sf2"
    out="$(run "$cli" soundfonts 2>&1)"
    [ "$(sed -n 's/^SoundFont: //p' <<<"$out")" = "$own/Own.sf2" ]
    check "a SoundFont in <prefix>/share/torchestra/soundfonts comes first" $? "$out"
    # And it plays: a one-note file rendered by the installed CLI.
    printf 'MThd\0\0\0\6\0\0\0\1\0\140MTrk\0\0\0\14\0\220\74\144\140\200\74\100\0\377\57\0' \
        >"$WORK/note.mid"
    out="$(run "$cli" render "$WORK/note.mid" "$WORK/note.wav" 2>&1)"
    [[ "$out" == *"SoundFont $own/Own.sf2"* ]] && [ -s "$WORK/note.wav" ]
    check "the installed CLI renders with it" $? "$out"
fi

# The desktop files as installed.
desktop-file-validate "$WORK/root/usr/share/applications/torchestra.desktop"
check "the installed desktop entry is valid" $? "desktop-file-validate"
update-mime-database "$WORK/root/usr/share/mime" >/dev/null 2>&1
grep -q "application/x-torchestra:\*.torchestra" "$WORK/root/usr/share/mime/globs"
check "the installed MIME type compiles" $? "update-mime-database"
finish
