# Runs one example for ctest: it must exit 0 and print output matching REGEX (ctest's own
# PASS_REGULAR_EXPRESSION would ignore the exit code).
execute_process(COMMAND ${EXE} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} exited with ${rc}")
endif()
if(NOT out MATCHES "${REGEX}")
  message(FATAL_ERROR "${EXE} printed no match for: ${REGEX}")
endif()
