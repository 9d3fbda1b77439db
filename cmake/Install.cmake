# What `cmake --install` puts where (GNUInstallDirs: <prefix>/bin, <prefix>/share/...), and the
# .deb CPack builds from it (`cpack -G DEB` in the build folder; tests/install checks it).
#
#   bin/torchestra, bin/torchestra-cli
#   share/torchestra/soundfonts/README.md     the program's data folder (core/base ProgramPaths)
#   share/torchestra/models/                  the built-in models (resources/models)
#   share/applications/torchestra.desktop
#   share/icons/hicolor/<N>x<N>/apps/torchestra.png, .../scalable/apps/torchestra.svg
#   share/mime/packages/torchestra.xml        the project file type (*.torchestra)
#   share/bash-completion/completions/torchestra-cli
#   share/doc/torchestra/                     README.md, LICENSE, copyright (Debian's form)

install(TARGETS torchestra-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(FILES soundfonts/README.md DESTINATION ${TORCHESTRA_DATA_INSTALL_DIR}/soundfonts)
install(DIRECTORY resources/models/ DESTINATION ${TORCHESTRA_DATA_INSTALL_DIR}/models)

# The desktop's side of the workstation: only with the workstation.
if(TARGET torchestra)
    install(TARGETS torchestra RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    install(FILES resources/torchestra.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    foreach(size 16 22 24 32 48 64 128 256)
        install(FILES resources/icons/hicolor/${size}x${size}/apps/torchestra.png
                DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
    endforeach()
    install(FILES resources/icons/torchestra.svg
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
    install(FILES resources/torchestra-mime.xml
            DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages RENAME torchestra.xml)
endif()
install(FILES resources/bash-completion/torchestra-cli
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES README.md LICENSE resources/copyright
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/torchestra)

# The .deb. Its Depends are Debian's package names: dpkg-shlibdeps finds those of the
# libraries the executables link (Qt, LibTorch, FluidSynth, RtMidi, ...); the list below adds
# what no executable links: Qt's platform plugins and a General MIDI SoundFont.
set(CPACK_PACKAGE_NAME torchestra)
set(CPACK_PACKAGE_VENDOR "Torchestra")
set(CPACK_PACKAGE_CONTACT "Torchestra maintainers <maintainers@torchestra.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "MIDI composition workstation that learns from your music")
set(CPACK_PACKAGE_DESCRIPTION "Open MIDI files, edit them in a piano roll, train a model\n\
(Markov, RNN, LSTM) on the music you choose and let it suggest the next bars, then\n\
audition them through a General MIDI synthesizer (FluidSynth) or a MIDI device.\n\
torchestra-cli does the same work headless.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON) # the debug information is 4/5 of the executables
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION sound)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "qt6-qpa-plugins, timgm6mb-soundfont | fluid-soundfont-gm | musescore-general-soundfont-small")
# OpenBLAS makes LibTorch's training several times faster than the reference BLAS.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libopenblas0-openmp | libopenblas0, bash-completion")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
