# Copyright (c) 2026 The asioctx authors
#
# Distributed under the Boost Software License, Version 1.0. (See accompanying
# file LICENSE_1_0.txt or copy at https://www.boost.org/LICENSE_1_0.txt)

# Runs one example and checks it, for ctest and b2 alike:
#   cmake -DEXE=path/to/program -DNAME=name -DLIST=example/examples.txt -P example/run_example.cmake
# The program must exit 0 within 60 seconds and print output (stdout) matching the regular
# expression that LIST gives for NAME. (ctest's PASS_REGULAR_EXPRESSION would ignore the exit code.)
file(STRINGS ${LIST} line REGEX "^${NAME} (17|20) ")
if(NOT line)
  message(FATAL_ERROR "${LIST} has no line for ${NAME}")
endif()
string(REGEX REPLACE "^${NAME} (17|20) " "" regex "${line}")
string(REPLACE "\\n" "\n" regex "${regex}")

execute_process(COMMAND ${EXE} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} exited with ${rc}")
endif()
if(NOT out MATCHES "${regex}")
  message(FATAL_ERROR "${EXE} printed no match for: ${regex}")
endif()
