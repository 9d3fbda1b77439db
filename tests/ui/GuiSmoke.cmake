# Starts the real `torchestra` executable the way scripts/screenshot does (app/gui/main.cpp is
# otherwise untested): on the demo file it must grab a PNG of the requested size and exit 0; on
# a broken file it must show the error, still grab, and exit 0 rather than crash.
# Usage: cmake -DDEMO=ui_demo_midi -DGUI=torchestra -DOUT=dir -P GuiSmoke.cmake
foreach(var DEMO GUI OUT)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "GuiSmoke.cmake needs -D${var}=...")
    endif()
endforeach()
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")
set(ENV{XDG_CONFIG_HOME} "${OUT}/config")  # never the user's recent files or layout
set(ENV{XDG_DATA_HOME} "${OUT}/data")      # nor their autosave recovery files

# Width and height from a PNG's IHDR chunk (bytes 16..23, big-endian).
function(png_size path out)
    file(READ "${path}" header OFFSET 16 LIMIT 8 HEX)
    string(SUBSTRING "${header}" 0 8 w)
    string(SUBSTRING "${header}" 8 8 h)
    math(EXPR w "0x${w}")
    math(EXPR h "0x${h}")
    set(${out} "${w}x${h}" PARENT_SCOPE)
endfunction()

function(grab midi png)
    execute_process(COMMAND "${GUI}" "${midi}" --screenshot "${png}" --after-ms 100
                            --size 1000x700
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "torchestra ${midi} exited with ${rc}\n${out}\n${err}")
    endif()
    if(NOT EXISTS "${png}")
        message(FATAL_ERROR "no screenshot at ${png}\n${err}")
    endif()
    png_size("${png}" size)
    if(NOT size STREQUAL "1000x700")
        message(FATAL_ERROR "screenshot ${png} is ${size}, expected 1000x700")
    endif()
endfunction()

execute_process(COMMAND "${DEMO}" "${OUT}/demo.mid" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ui_demo_midi failed (${rc})")
endif()
grab("${OUT}/demo.mid" "${OUT}/demo.png")
file(SIZE "${OUT}/demo.png" bytes)
if(bytes LESS 20000)
    message(FATAL_ERROR "demo screenshot is only ${bytes} bytes: notes missing?")
endif()

file(WRITE "${OUT}/broken.mid" "MThd but nothing a reader could use")
grab("${OUT}/broken.mid" "${OUT}/broken.png")
